import type { MarketEvent } from '../../domain/market-event.ts';
import { type Fixed, parseFixed } from '../../lib/fixed.ts';
import { TestClock } from '../../lib/test-clock.ts';
import { MarketState } from '../market-state.ts';
import { FlashCrashDetector } from './flash-crash-detector.ts';
import { ResumeGate } from './resume-gate.ts';
import { incidentHarness } from './trading-detector-test-kit.ts';

/**
 * The §7 test bench shared by the flash-crash and resume-gate tests: a market fed with mark, book and
 * trade events per symbol, the detector and the gate wired as the lead wires them. Not used in production.
 */
export interface Quote {
  readonly mark?: Fixed;
  readonly mid?: Fixed;
  readonly trade?: Fixed;
  /** Half the spread around the mid (default 0.1). */
  readonly halfSpread?: Fixed;
  /** Top-of-book quantity on each side (default 1). */
  readonly qty?: Fixed;
}

export const SYMBOLS = ['BTCUSDT', 'ETHUSDT'] as const;
export const WINDOW_MS = 60_000;
export const WAIT_MS = 300_000;

export function flashCrashBench(options: { killSwitchOnOpenExposure?: boolean } = {}) {
  const clock = new TestClock();
  const harness = incidentHarness(clock);
  const market = new MarketState();
  const state = { drawdownBreached: false, openExposure: false, pingOk: true, pings: 0 };
  const detector = new FlashCrashDetector({
    market,
    symbols: SYMBOLS,
    drawdownBreached: () => state.drawdownBreached,
    hasOpenExposure: () => state.openExposure,
    thresholds: {
      movePct: 10,
      windowMs: WINDOW_MS,
      killSwitchOnOpenExposure: options.killSwitchOnOpenExposure ?? false,
    },
    clock,
    incidents: harness.incidents,
    control: harness.control,
  });
  const gate = new ResumeGate({
    symbols: SYMBOLS,
    market,
    recentMovePct: (symbol) => detector.recentMovePct(symbol),
    ping: async () => {
      state.pings += 1;
      if (!state.pingOk) throw new Error('503 Service Unavailable');
    },
    deescalate: (by) => harness.control.operatorResume(by),
    thresholds: { resumeMaxMovePct: 1, resumeWaitMs: WAIT_MS },
    clock,
    incidents: harness.incidents,
  });
  const feed = (event: MarketEvent): void => {
    market.apply(event);
    detector.onMarket(event);
    gate.onMarket(event);
  };
  const quote = (symbol: string, quote: Quote): void => {
    const at = clock.now();
    if (quote.mark !== undefined)
      feed({
        kind: 'markPrice',
        symbol,
        eventTime: at,
        receivedAt: at,
        markPrice: quote.mark,
        indexPrice: quote.mark,
        fundingRate: 0n,
        nextFundingTime: at,
      });
    if (quote.mid !== undefined) {
      const half = quote.halfSpread ?? parseFixed('0.1');
      const qty = quote.qty ?? parseFixed('1');
      feed({
        kind: 'bookTicker',
        symbol,
        updateId: at,
        eventTime: at,
        receivedAt: at,
        bidPrice: quote.mid - half,
        bidQty: qty,
        askPrice: quote.mid + half,
        askQty: qty,
      });
    }
    if (quote.trade !== undefined)
      feed({
        kind: 'trade',
        symbol,
        tradeId: at,
        eventTime: at,
        receivedAt: at,
        tradeTime: at,
        price: quote.trade,
        qty: parseFixed('0.01'),
        buyerIsMaker: false,
      });
  };
  /** Every source of `symbol` at one price (ETHUSDT steady at 3000 unless given). */
  const everywhere = (price: Fixed): Quote => ({ mark: price, mid: price, trade: price });
  const tick = async (ms = 250): Promise<void> => {
    clock.advance(ms);
    detector.evaluate();
    await gate.evaluate();
    await detector.whenIdle();
  };
  /** `steps` ticks of `stepMs`; at step i (1-based) the quote is `at(i)`; ETHUSDT steady. */
  const run = async (steps: number, stepMs: number, at: (step: number) => Quote): Promise<void> => {
    for (let step = 1; step <= steps; step += 1) {
      clock.advance(stepMs);
      quote('BTCUSDT', at(step));
      quote('ETHUSDT', everywhere(parseFixed('3000')));
      detector.evaluate();
      await gate.evaluate();
      await detector.whenIdle();
    }
  };
  /** Linear from `from` to `to` over `steps`. */
  const path = (from: string, to: string, steps: number) => (step: number) =>
    parseFixed(from) + ((parseFixed(to) - parseFixed(from)) * BigInt(Math.min(step, steps))) / BigInt(steps);
  return { clock, market, detector, gate, state, quote, everywhere, tick, run, path, ...harness };
}
