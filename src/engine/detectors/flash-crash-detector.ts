import type { MarketEvent } from '../../domain/market-event.ts';
import type { Clock } from '../../lib/clock.ts';
import { absFixed, divFixed, type Fixed, formatFixed, parseFixed } from '../../lib/fixed.ts';
import type { EngineControl } from '../engine-control.ts';
import type { IncidentManager } from '../incident-manager.ts';
import type { MarketState } from '../market-state.ts';
import type { Detector } from './detector.ts';

export interface FlashCrashThresholds {
  /** flash_crash.move_pct, a PERCENT (§7: > 10 %). */
  readonly movePct: number;
  /** flash_crash.window_s in ms (§7: within 1 min). */
  readonly windowMs: number;
  /** flash_crash.kill_switch_on_open_exposure */
  readonly killSwitchOnOpenExposure: boolean;
}

/** One evaluation's view of a symbol. */
export interface PriceSample {
  readonly at: number;
  readonly mark?: Fixed;
  readonly trade?: Fixed;
  readonly mid?: Fixed;
}

export type PriceSource = 'mark' | 'trade' | 'mid';

/** The move of one source over the window: from its earlier extreme to its later one, signed, in percent. */
export interface WindowMove {
  readonly pct: Fixed;
  readonly from: Fixed;
  readonly to: Fixed;
  readonly fromAt: number;
  readonly toAt: number;
  /** The first sample after `fromAt`: when the move began to show. */
  readonly startedAt: number;
}

/** How a cross-check source behaved while the mark moved. */
type Verdict = 'moved' | 'still' | 'no data';

const percent = (value: number): Fixed => parseFixed(value.toFixed(8));
const signed = (pct: Fixed): string => `${pct > 0n ? '+' : ''}${formatFixed(pct, 1)}%`;

/** The window's move of one source: max and min, ordered by time (a drop is negative). */
export function windowMove(samples: readonly PriceSample[], source: PriceSource): WindowMove | undefined {
  // Index loops without closures or per-sample objects: this runs on every detector pass (4 times a
  // second per symbol, a minute of samples), and in a backtest for hours of market.
  let lowIndex = -1;
  let highIndex = -1;
  let low = 0n;
  let high = 0n;
  const count = samples.length;
  for (let index = 0; index < count; index += 1) {
    const value = (samples[index] as PriceSample)[source];
    if (value === undefined || value <= 0n) continue;
    if (lowIndex < 0 || value < low) {
      low = value;
      lowIndex = index;
    }
    if (highIndex < 0 || value > high) {
      high = value;
      highIndex = index;
    }
  }
  if (lowIndex < 0 || highIndex < 0) return undefined;
  const lowFirst = lowIndex <= highIndex;
  const firstIndex = lowFirst ? lowIndex : highIndex;
  const lastIndex = lowFirst ? highIndex : lowIndex;
  const from = lowFirst ? low : high;
  const to = lowFirst ? high : low;
  // On a plateau the move starts after the LAST sample still at the earlier extreme.
  let startIndex = firstIndex;
  for (let index = firstIndex; index <= lastIndex; index += 1) {
    if (samples[index]?.[source] === from) startIndex = index;
  }
  let startedAt: number | undefined;
  for (let index = startIndex + 1; index < count; index += 1) {
    const sample = samples[index] as PriceSample;
    if (sample[source] !== undefined) {
      startedAt = sample.at;
      break;
    }
  }
  return {
    pct: divFixed((to - from) * 100n, from),
    from,
    to,
    fromAt: (samples[firstIndex] as PriceSample).at,
    toAt: (samples[lastIndex] as PriceSample).at,
    startedAt: startedAt ?? (samples[lastIndex] as PriceSample).at,
  };
}

/**
 * One symbol's samples over the window, with the mark's running extremes kept incrementally
 * (monotonic queues of sample numbers, earliest sample first on ties, as `windowMove` picks them):
 * the per-pass check is then O(1) instead of a scan of the window.
 */
export class SampleWindow {
  /** Live samples are #items[#head…]; expired ones are dropped in batches, not one shift per pass. */
  #items: PriceSample[] = [];
  #head = 0;
  /** The number of #items[0]: sample numbers grow by one per push and survive compaction. */
  #base = 0;
  /** Sample numbers with strictly increasing marks: the front is the earliest lowest mark. */
  #lows: number[] = [];
  #lowsHead = 0;
  /** Sample numbers with strictly decreasing marks: the front is the earliest highest mark. */
  #highs: number[] = [];
  #highsHead = 0;

  /** The window's samples, oldest first (a copy: for the rare paths that look at all of them). */
  get samples(): PriceSample[] {
    return this.#items.slice(this.#head);
  }

  latest(): PriceSample | undefined {
    return this.#head < this.#items.length ? this.#items.at(-1) : undefined;
  }

  push(sample: PriceSample): void {
    const number = this.#base + this.#items.length;
    this.#items.push(sample);
    const mark = sample.mark;
    if (mark === undefined || mark <= 0n) return;
    const lows = this.#lows;
    while (lows.length > this.#lowsHead && (this.#markOf(lows.at(-1) as number) as Fixed) > mark) lows.pop();
    lows.push(number);
    const highs = this.#highs;
    while (highs.length > this.#highsHead && (this.#markOf(highs.at(-1) as number) as Fixed) < mark) highs.pop();
    highs.push(number);
  }

  /** Drops the samples before `oldest`. */
  expire(oldest: number): void {
    const items = this.#items;
    let head = this.#head;
    while (head < items.length && (items[head] as PriceSample).at < oldest) head += 1;
    if (head === this.#head) return;
    this.#head = head;
    const first = this.#base + head;
    while (this.#lowsHead < this.#lows.length && (this.#lows[this.#lowsHead] as number) < first) this.#lowsHead += 1;
    while (this.#highsHead < this.#highs.length && (this.#highs[this.#highsHead] as number) < first)
      this.#highsHead += 1;
    if (head >= 1024 && head * 2 >= items.length) {
      this.#items = items.slice(head);
      this.#base = first;
      this.#head = 0;
      this.#lows = this.#lows.slice(this.#lowsHead);
      this.#lowsHead = 0;
      this.#highs = this.#highs.slice(this.#highsHead);
      this.#highsHead = 0;
    }
  }

  /** Only `latest` remains. */
  reset(latest: PriceSample): void {
    this.#base += this.#items.length;
    this.#items = [];
    this.#head = 0;
    this.#lows = [];
    this.#lowsHead = 0;
    this.#highs = [];
    this.#highsHead = 0;
    this.push(latest);
  }

  /** The mark's move over the window, unsigned percent, as `windowMove(samples, 'mark')` computes it. */
  markMovePct(): Fixed | undefined {
    const lowNumber = this.#lows[this.#lowsHead];
    const highNumber = this.#highs[this.#highsHead];
    if (lowNumber === undefined || highNumber === undefined) return undefined;
    const low = this.#markOf(lowNumber) as Fixed;
    const high = this.#markOf(highNumber) as Fixed;
    const from = lowNumber <= highNumber ? low : high;
    const to = lowNumber <= highNumber ? high : low;
    return absFixed(divFixed((to - from) * 100n, from));
  }

  #markOf(number: number): Fixed | undefined {
    return this.#items[number - this.#base]?.mark;
  }
}

/**
 * Playbook §7: a mark-price move past flash_crash.move_pct within flash_crash.window_s. Marks, last
 * trade prices (trade events, or the running kline's close, fed through `onMarket`) and book mids are
 * sampled on every evaluation and kept for one window per symbol.
 *
 * Cross-check ("real crash or data error?"): a source confirms the move when it moved at least half
 * of move_pct in the same direction within the same window. The mark alone moving, while the trades
 * or the mid that have data stayed still → DATA_ERROR (WARN), the streams are resubscribed and
 * trading goes on; it resolves when the mark agrees with the book again. Trades or mid confirming →
 * FLASH_CRASH (CRIT), HALTED, and the kill switch when the daily drawdown is breached or (with
 * flash_crash.kill_switch_on_open_exposure) a position is open. With neither trades nor mid to ask,
 * a move cannot be refuted and is treated as real. Other symbols' marks are in the evidence, for
 * people: they share the mark stream, so they cannot tell a stream fault from a market-wide crash.
 * The halt is lifted only through the ResumeGate (operator approval), which resolves the incident.
 */
export class FlashCrashDetector implements Detector {
  readonly name = 'flash-crash';
  readonly #market: MarketState;
  readonly #symbols: readonly string[];
  readonly #drawdownBreached: () => boolean;
  readonly #hasOpenExposure: () => boolean;
  readonly #movePct: Fixed;
  readonly #windowMs: number;
  readonly #killSwitchOnOpenExposure: boolean;
  readonly #clock: Clock;
  readonly #incidents: IncidentManager;
  readonly #control: EngineControl;
  readonly #samples = new Map<string, SampleWindow>();
  readonly #lastTrade = new Map<string, Fixed>();
  /** symbol → open DATA_ERROR incident id. */
  readonly #dataErrors = new Map<string, string>();
  readonly #inFlight = new Set<Promise<void>>();
  #restored = false;

  constructor(deps: {
    market: MarketState;
    symbols: readonly string[];
    drawdownBreached: () => boolean;
    hasOpenExposure: () => boolean;
    thresholds: FlashCrashThresholds;
    clock: Clock;
    incidents: IncidentManager;
    control: EngineControl;
  }) {
    this.#market = deps.market;
    this.#symbols = deps.symbols;
    this.#drawdownBreached = deps.drawdownBreached;
    this.#hasOpenExposure = deps.hasOpenExposure;
    this.#movePct = percent(deps.thresholds.movePct);
    this.#windowMs = deps.thresholds.windowMs;
    this.#killSwitchOnOpenExposure = deps.thresholds.killSwitchOnOpenExposure;
    this.#clock = deps.clock;
    this.#incidents = deps.incidents;
    this.#control = deps.control;
  }

  /** Trade prices: aggTrade events, else the running 1m kline's close (the last trade in it). */
  onMarket(event: MarketEvent): void {
    if (event.kind === 'trade') this.#lastTrade.set(event.symbol, event.price);
    else if (event.kind === 'kline') this.#lastTrade.set(event.symbol, event.close);
  }

  evaluate(): void {
    const now = this.#clock.now();
    if (!this.#restored) {
      // After a restart: an unresolved data error is still being watched for its end.
      this.#restored = true;
      for (const symbol of this.#symbols) {
        const open = this.#incidents.current('DATA_ERROR', symbol);
        if (open !== undefined) this.#dataErrors.set(symbol, open.id);
      }
    }
    for (const symbol of this.#symbols) this.#sample(symbol, now);
    for (const symbol of this.#symbols) this.#check(symbol);
  }

  /** The mark's move over the last window, unsigned percent; undefined without marks (the resume gate's "price stabilised"). */
  recentMovePct(symbol: string): Fixed | undefined {
    const move = windowMove(this.#samples.get(symbol)?.samples ?? [], 'mark');
    return move === undefined ? undefined : absFixed(move.pct);
  }

  /** Resolves when the responses started so far have finished (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  #sample(symbol: string, now: number): void {
    const market = this.#market.get(symbol);
    const mid = market.bid !== undefined && market.ask !== undefined ? (market.bid + market.ask) / 2n : undefined;
    const trade = this.#lastTrade.get(symbol) ?? market.lastTrade;
    let window = this.#samples.get(symbol);
    if (window === undefined) {
      window = new SampleWindow();
      this.#samples.set(symbol, window);
    }
    // Built field by field, not by spreading: this runs on every pass.
    const sample: { at: number; mark?: Fixed; trade?: Fixed; mid?: Fixed } = { at: now };
    if (market.mark !== undefined) sample.mark = market.mark;
    if (trade !== undefined) sample.trade = trade;
    if (mid !== undefined) sample.mid = mid;
    window.push(sample);
    window.expire(now - this.#windowMs);
  }

  #check(symbol: string): void {
    const dataError = this.#dataErrors.get(symbol);
    if (dataError !== undefined) {
      this.#checkDataErrorOver(symbol, dataError);
      return;
    }
    // A crash already acted on waits for the resume gate; nothing is repeated meanwhile.
    if (this.#incidents.current('FLASH_CRASH', symbol) !== undefined) return;
    const window = this.#samples.get(symbol);
    // The common case, a quiet market, is decided from the running extremes without a scan.
    const movePct = window?.markMovePct();
    if (window === undefined || movePct === undefined || movePct <= this.#movePct) return;
    const samples = window.samples;
    const mark = windowMove(samples, 'mark');
    if (mark === undefined || absFixed(mark.pct) <= this.#movePct) return;
    const verdict = (source: PriceSource): Verdict => {
      const move = windowMove(samples, source);
      if (move === undefined) return 'no data';
      const sameDirection = move.pct > 0n === mark.pct > 0n;
      return sameDirection && absFixed(move.pct) * 2n >= this.#movePct ? 'moved' : 'still';
    };
    const trade = verdict('trade');
    const mid = verdict('mid');
    const describeSource = (source: PriceSource): string => {
      const move = windowMove(samples, source);
      return `${source} ${move === undefined ? 'no data' : signed(move.pct)}`;
    };
    const others = this.#symbols
      .filter((other) => other !== symbol)
      .map((other) => {
        const move = windowMove(this.#samples.get(other)?.samples ?? [], 'mark');
        return `${other} mark ${move === undefined ? 'no data' : signed(move.pct)}`;
      });
    const windowS = Math.round(this.#windowMs / 1000);
    const evidence = `mark ${formatFixed(mark.from, 2)} → ${formatFixed(mark.to, 2)} (${signed(mark.pct)}) in ${windowS}s; ${describeSource('trade')}, ${describeSource('mid')}${others.length > 0 ? `; ${others.join(', ')}` : ''}`;
    const real = trade === 'moved' || mid === 'moved' || (trade === 'no data' && mid === 'no data');
    if (real) this.#crash(symbol, mark, evidence);
    else this.#dataError(symbol, mark, evidence);
  }

  #crash(symbol: string, mark: WindowMove, evidence: string): void {
    const summary = `Flash crash: ${symbol} mark ${signed(mark.pct)} in ${Math.round(this.#windowMs / 1000)}s`;
    const incident = this.#incidents.open({
      type: 'FLASH_CRASH',
      severity: 'CRIT',
      symbol,
      summary,
      firstEvidenceAt: mark.startedAt,
      firstEvidence: evidence,
    });
    this.#control.escalate('HALTED', this.name, summary);
    this.#incidents.action(
      incident.id,
      'halt trading',
      'ok',
      'resume through the gate: `yunmin resume --approve NAME`',
    );
    const drawdown = this.#drawdownBreached();
    const exposure = this.#killSwitchOnOpenExposure && this.#hasOpenExposure();
    if (!drawdown && !exposure) {
      this.#incidents.contain(incident.id, 'trading HALTED');
      return;
    }
    const why = drawdown ? 'daily drawdown breached' : 'open exposure (flash_crash.kill_switch_on_open_exposure)';
    this.#incidents.action(incident.id, 'trip kill switch', 'started', why);
    this.#track(
      this.#control.tripKillSwitch(`${summary}; ${why}`, this.name).then(
        () => {
          this.#incidents.action(incident.id, 'trip kill switch', 'ok');
          this.#incidents.contain(incident.id, 'trading HALTED, kill switch tripped');
        },
        (error: unknown) => {
          this.#incidents.action(incident.id, 'trip kill switch', 'failed', String(error));
          this.#incidents.contain(incident.id, 'trading HALTED (kill switch trip failed)');
        },
      ),
    );
  }

  #dataError(symbol: string, mark: WindowMove, evidence: string): void {
    const incident = this.#incidents.open({
      type: 'DATA_ERROR',
      severity: 'WARN',
      symbol,
      summary: `Data error: ${symbol} mark ${signed(mark.pct)} while trades and book did not move`,
      firstEvidenceAt: mark.startedAt,
      firstEvidence: evidence,
    });
    this.#dataErrors.set(symbol, incident.id);
    this.#incidents.action(incident.id, 'resubscribe streams', 'started');
    this.#track(
      this.#control.reconnectStreams().then(
        () => {
          this.#incidents.action(incident.id, 'resubscribe streams', 'ok');
          this.#incidents.contain(incident.id, 'streams resubscribed; no halt');
        },
        (error: unknown) => {
          this.#incidents.action(incident.id, 'resubscribe streams', 'failed', String(error));
        },
      ),
    );
  }

  /** Over when the mark agrees with the book mid (else the last trade) within half of move_pct again. */
  #checkDataErrorOver(symbol: string, incidentId: string): void {
    const window = this.#samples.get(symbol);
    const latest = window?.latest();
    const reference = latest?.mid ?? latest?.trade;
    if (latest?.mark === undefined || reference === undefined || reference <= 0n) return;
    const gap = absFixed(divFixed((latest.mark - reference) * 100n, reference));
    if (gap * 2n >= this.#movePct) return;
    this.#dataErrors.delete(symbol);
    // The bad marks must not count as a move (back to normal) in the next window.
    window?.reset(latest);
    this.#incidents.resolve(incidentId, `mark agrees with the book again (${formatFixed(gap, 2)}% apart)`);
  }

  #track(work: Promise<void>): void {
    // The handlers record outcomes; a failure inside them (a store error) must not go unhandled.
    const tracked = work.catch(() => undefined).finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }
}
