import type { Incident } from '../../domain/incident.ts';
import type { MarketEvent } from '../../domain/market-event.ts';
import type { Clock } from '../../lib/clock.ts';
import { divFixed, type Fixed, formatFixed, parseFixed } from '../../lib/fixed.ts';
import { YunminError } from '../../lib/yunmin-error.ts';
import type { IncidentManager } from '../incident-manager.ts';
import type { MarketState } from '../market-state.ts';
import type { Detector } from './detector.ts';

export interface ResumeGateThresholds {
  /** flash_crash.resume_max_move_pct, a PERCENT (§7: < 1 % move in the last minute). */
  readonly resumeMaxMovePct: number;
  /** flash_crash.resume_wait_s in ms (§7: 5 minutes have passed). */
  readonly resumeWaitMs: number;
  /** A normal spread is below this PERCENT of the mid (default 0.1: a BTCUSDT book is ~0.0002 % wide). */
  readonly maxSpreadPct?: number;
}

export interface ResumeGateStatus {
  /** A FLASH_CRASH halt waits for the gate. */
  readonly pending: boolean;
  /** Every condition holds, the approval included. */
  readonly ready: boolean;
  /** What is still missing, for people (`yunmin resume --approve` prints these). */
  readonly unmet: readonly string[];
  readonly approvedBy?: string;
  /** This call moved the trading state back to ACTIVE. */
  readonly resumed: boolean;
}

/** The exchange is "up" when a ping succeeded this recently. */
const EXCHANGE_UP_WITHIN_MS = 15_000;
/** How often the gate pings while a halt is pending (one request weight each). */
const PING_EVERY_MS = 5_000;

const percent = (value: number): Fixed => parseFixed(value.toFixed(8));
const pct = (value: Fixed): string => `${formatFixed(value, 3).replace(/\.?0+$/, '')}%`;

/**
 * Playbook §7 step 3 as a gate, not a checklist (DESIGN "Approval gate"). Trading halted by a real
 * flash crash may resume only when ALL hold, for every symbol with an open FLASH_CRASH incident:
 * - the mark moved less than resume_max_move_pct over the last window (FlashCrashDetector.recentMovePct);
 * - a normal spread: bid > 0, ask > bid and (ask − bid) / mid < maxSpreadPct (0.1 %);
 * - depth: the top of book shows a quantity on both sides (bookTicker/book events through `onMarket`);
 * - the exchange is up: a `ping` succeeded within the last 15 s;
 * - resume_wait_s passed since the crash was detected;
 * - an operator approved it, by name (`approve`), after the crash (an approval covers the incidents
 *   open when it was given; a new crash needs a new approval).
 * Then the gate calls `deescalate(approver)` (the operator path HALTED → ACTIVE, with the name) and
 * resolves the incidents. Automation never resumes alone: without an approval nothing happens; an
 * approval given early waits for the conditions. A refused de-escalation (e.g. the kill switch is
 * TRIPPED) drops the approval, so nothing retries in a loop.
 * The pending incidents are read from the incident store, so a restart keeps the gate closed.
 */
export class ResumeGate implements Detector {
  readonly name = 'resume-gate';
  readonly #symbols: readonly string[];
  readonly #market: MarketState;
  readonly #recentMovePct: (symbol: string) => Fixed | undefined;
  readonly #ping: () => Promise<void>;
  readonly #deescalate: (by: string) => unknown;
  readonly #maxMove: Fixed;
  readonly #waitMs: number;
  readonly #maxSpread: Fixed;
  readonly #clock: Clock;
  readonly #incidents: IncidentManager;
  readonly #depth = new Map<string, { bidQty: Fixed; askQty: Fixed }>();
  #approval: { readonly by: string; readonly at: number; readonly incidentIds: ReadonlySet<string> } | undefined;
  #lastPing: { readonly at: number; readonly ok: boolean } | undefined;
  #pinging: Promise<void> | undefined;
  #completing: Promise<boolean> | undefined;

  constructor(deps: {
    symbols: readonly string[];
    market: MarketState;
    recentMovePct: (symbol: string) => Fixed | undefined;
    ping: () => Promise<void>;
    deescalate: (by: string) => unknown;
    thresholds: ResumeGateThresholds;
    clock: Clock;
    incidents: IncidentManager;
  }) {
    this.#symbols = deps.symbols;
    this.#market = deps.market;
    this.#recentMovePct = deps.recentMovePct;
    this.#ping = deps.ping;
    this.#deescalate = deps.deescalate;
    this.#maxMove = percent(deps.thresholds.resumeMaxMovePct);
    this.#waitMs = deps.thresholds.resumeWaitMs;
    this.#maxSpread = percent(deps.thresholds.maxSpreadPct ?? 0.1);
    this.#clock = deps.clock;
    this.#incidents = deps.incidents;
  }

  /** Top-of-book quantities (MarketState keeps prices only). */
  onMarket(event: MarketEvent): void {
    if (event.kind === 'bookTicker') {
      this.#depth.set(event.symbol, { bidQty: event.bidQty, askQty: event.askQty });
    } else if (event.kind === 'book') {
      this.#depth.set(event.symbol, { bidQty: event.bids[0]?.qty ?? 0n, askQty: event.asks[0]?.qty ?? 0n });
    }
  }

  /** While a halt is pending: keeps the exchange check fresh, and resumes once approved and ready. */
  async evaluate(): Promise<void> {
    if (this.#pending().length === 0) return;
    const last = this.#lastPing;
    if (last === undefined || this.#clock.now() - last.at >= PING_EVERY_MS) void this.#refreshPing();
    if (this.#approval !== undefined && this.check().ready) await this.#complete(this.#approval.by);
  }

  /** Records the operator's approval (by name); resumes at once if every other condition holds. */
  async approve(by: string): Promise<ResumeGateStatus> {
    const name = by.trim();
    if (name === '') throw new YunminError('RESUME_APPROVER_REQUIRED', 'an approval must carry the approver name');
    const pending = this.#pending();
    if (pending.length === 0) return this.check();
    this.#approval = { by: name, at: this.#clock.now(), incidentIds: new Set(pending.map((incident) => incident.id)) };
    for (const incident of pending) this.#incidents.action(incident.id, `resume approved by ${name}`, 'ok');
    await this.#refreshPing();
    const status = this.check();
    if (!status.ready) return status;
    const resumed = await this.#complete(name);
    return resumed ? { pending: false, ready: true, unmet: [], approvedBy: name, resumed: true } : this.check();
  }

  /** What still stands between the halt and trading (uses the last ping; `approve` pings afresh). */
  check(): ResumeGateStatus {
    const pending = this.#pending();
    if (pending.length === 0)
      return { pending: false, ready: false, unmet: ['no flash-crash halt is pending'], resumed: false };
    const now = this.#clock.now();
    const unmet: string[] = [];
    for (const incident of pending) {
      const symbol = incident.symbol ?? '';
      const move = this.#recentMovePct(symbol);
      if (move === undefined) unmet.push(`price: no recent mark prices for ${symbol}`);
      else if (move >= this.#maxMove)
        unmet.push(`price: ${symbol} moved ${pct(move)} in the last window (must be < ${pct(this.#maxMove)})`);
      const spread = this.#spreadProblem(symbol);
      if (spread !== undefined) unmet.push(`spread: ${spread}`);
      const depth = this.#depth.get(symbol);
      if (depth === undefined || depth.bidQty <= 0n || depth.askQty <= 0n)
        unmet.push(`depth: no quantity at the top of the ${symbol} book on both sides`);
      const left = incident.detectedAt + this.#waitMs - now;
      if (left > 0)
        unmet.push(`wait: ${Math.ceil(left / 1000)}s of ${Math.round(this.#waitMs / 1000)}s left since ${incident.id}`);
    }
    const ping = this.#lastPing;
    if (ping === undefined || !ping.ok || now - ping.at > EXCHANGE_UP_WITHIN_MS)
      unmet.push(`exchange: no successful ping in the last ${EXCHANGE_UP_WITHIN_MS / 1000}s`);
    const approval = this.#approval;
    const approved = approval !== undefined && pending.every((incident) => approval.incidentIds.has(incident.id));
    if (!approved) unmet.push('approval: an operator must approve (`yunmin resume --approve NAME`)');
    return {
      pending: true,
      ready: unmet.length === 0,
      unmet,
      ...(approved && { approvedBy: approval.by }),
      resumed: false,
    };
  }

  /**
   * `yunmin resume --by NAME --force`: the operator resumed without the gate. Loud and recorded: the
   * incidents are resolved with the name, so the gate does not stand in the way of that decision.
   */
  override(by: string): void {
    const unmet = this.check().unmet.join('; ');
    for (const incident of this.#pending()) {
      this.#incidents.action(incident.id, `resume gate overridden by ${by}`, 'ok', `unmet: ${unmet}`);
      this.#incidents.resolve(incident.id, `resume forced by ${by}`);
    }
    this.#approval = undefined;
  }

  #pending(): Incident[] {
    return this.#symbols
      .map((symbol) => this.#incidents.current('FLASH_CRASH', symbol))
      .filter((incident): incident is Incident => incident !== undefined);
  }

  #spreadProblem(symbol: string): string | undefined {
    const { bid, ask } = this.#market.get(symbol);
    if (bid === undefined || ask === undefined || bid <= 0n) return `no book for ${symbol}`;
    if (ask <= bid) return `${symbol} book crossed (bid ${formatFixed(bid, 2)} ask ${formatFixed(ask, 2)})`;
    const spread = divFixed((ask - bid) * 100n, (bid + ask) / 2n);
    return spread < this.#maxSpread ? undefined : `${symbol} ${pct(spread)} wide (must be < ${pct(this.#maxSpread)})`;
  }

  async #refreshPing(): Promise<void> {
    if (this.#pinging !== undefined) return this.#pinging;
    this.#pinging = this.#ping().then(
      () => {
        this.#lastPing = { at: this.#clock.now(), ok: true };
      },
      () => {
        this.#lastPing = { at: this.#clock.now(), ok: false };
      },
    );
    try {
      await this.#pinging;
    } finally {
      this.#pinging = undefined;
    }
  }

  async #complete(by: string): Promise<boolean> {
    if (this.#completing !== undefined) return this.#completing;
    this.#completing = this.#resume(by);
    try {
      return await this.#completing;
    } finally {
      this.#completing = undefined;
    }
  }

  async #resume(by: string): Promise<boolean> {
    const pending = this.#pending();
    try {
      await this.#deescalate(by);
    } catch (error) {
      this.#approval = undefined;
      const reason = error instanceof Error ? error.message : String(error);
      for (const incident of pending) this.#incidents.action(incident.id, `resume by ${by}`, 'failed', reason);
      return false;
    }
    this.#approval = undefined;
    for (const incident of pending) {
      this.#incidents.action(incident.id, `resume by ${by}`, 'ok', 'every §7 resume condition held');
      this.#incidents.resolve(incident.id, `trading resumed, approved by ${by}`);
    }
    return true;
  }
}
