import { SystemClock } from '../../lib/system-clock.ts';
import type { DrillContext, DrillExpectation, DrillScenario } from './drill-scenario.ts';

const LONG =
  'trading_engine:\n  decision_interval_s: 0.5\n  symbols: [ETHUSDT]\n  strategy: { name: churn, params: { pattern: long } }\n';
const CHURN =
  'trading_engine:\n  decision_interval_s: 0.5\n  symbols: [BTCUSDT, ETHUSDT]\n  strategy: { name: churn }\n';
const BIG_LONG = `${LONG}executor: { max_position_pct: 1 }\n`;

const seconds = (s: number, scale: number) => s * 1000 * scale;
const clock = new SystemClock();
const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));

const calm = (overrides: Partial<DrillExpectation> & { thresholdMs: number }): DrillExpectation => ({
  killSwitch: false,
  tradingState: 'ACTIVE',
  exchangeFlat: false,
  localEqualsExchange: true,
  ...overrides,
});

// After a trip the engine's book is the strategy's paper book (DESIGN: LIVE → DRY_RUN), so it is not
// compared with the flat exchange; that every exchange fill was recorded is checked instead.
const killed = (overrides: Partial<DrillExpectation> & { thresholdMs: number }): DrillExpectation => ({
  killSwitch: true,
  tradingState: 'HALTED',
  exchangeFlat: true,
  localEqualsExchange: false,
  ...overrides,
});

/** Every drill of issue 5 point 5, one per failure the playbook names. */
export const DRILL_SCENARIOS: readonly DrillScenario[] = [
  {
    name: 'ws-closed',
    section: '§1',
    description: 'every WebSocket closed by the exchange: reconnect, resubscribe, resync; no kill switch',
    config: CHURN,
    needsPosition: false,
    async inject(context) {
      context.inject({ type: 'ws-close' });
    },
    expect: (scale) => calm({ thresholdMs: seconds(10, scale) }),
    async verify(context) {
      await sleep(seconds(10, context.scale));
      const stale = context.engine.engine.status().running ? [] : ['engine stopped'];
      const health = (await (await fetch(`${context.engine.healthUrl}/health`)).json()) as { ws_connected: boolean };
      return health.ws_connected ? stale : [...stale, 'WebSocket not reconnected'];
    },
  },
  {
    name: 'ws-silent-freeze',
    section: '§1b',
    description: 'sockets open and answering pings, no data: receive age → reconnect at 10 s, kill switch at 60 s',
    config: LONG,
    needsPosition: true,
    async inject(context) {
      context.inject({ type: 'ws-freeze', durationMs: seconds(200, context.scale) });
    },
    expect: (scale) => killed({ incident: 'WS_STALE', thresholdMs: seconds(60, scale) }),
  },
  {
    name: 'ws-reconnect-refused',
    section: '§1b',
    description: 'connections dropped and refused past 60 s: kill switch over REST',
    config: LONG,
    needsPosition: true,
    async inject(context) {
      context.inject({ type: 'ws-refuse', durationMs: seconds(200, context.scale) });
      context.inject({ type: 'ws-close' });
    },
    expect: (scale) => killed({ incident: 'WS_STALE', thresholdMs: seconds(60, scale) }),
  },
  {
    name: 'rest-429-storm',
    section: '§2',
    description: '429 with Retry-After on every request: hold new orders, honour Retry-After, resume by itself',
    config: CHURN,
    needsPosition: false,
    async inject(context) {
      context.inject({ type: 'rest-error', status: 429, count: 4, retryAfterSeconds: 1 });
    },
    expect: () => calm({ incident: 'REST_ERRORS', thresholdMs: 0 }),
  },
  {
    name: 'rest-418-ban',
    section: '§2',
    description: '418 IP ban: no request until the ban ends, then resume',
    config: CHURN,
    needsPosition: false,
    async inject(context) {
      context.inject({ type: 'rest-error', status: 418, count: 3, retryAfterSeconds: 2 });
    },
    expect: () => calm({ incident: 'REST_ERRORS', thresholdMs: 0 }),
  },
  {
    name: 'rest-503-unknown-executed',
    section: '§2',
    description: '503 "Unknown error" on orders that were executed: resolved by client id, never resent',
    config: CHURN,
    needsPosition: false,
    async inject(context) {
      context.inject({
        type: 'rest-error',
        status: 503,
        variant: 'unknown',
        executed: true,
        count: 2,
        paths: ['/fapi/v1/order', '/fapi/v1/batchOrders'],
      });
    },
    expect: () => calm({ incident: 'REST_ERRORS', thresholdMs: 0 }),
  },
  {
    name: 'rest-latency-spike',
    section: '§3',
    description: 'REST round trips slowed above the p95 threshold: WARN, recovery reported',
    config: CHURN,
    needsPosition: false,
    async inject(context) {
      context.inject({
        type: 'latency',
        target: 'rest',
        fixedMs: Math.round(3 * 2000 * context.scale),
        durationMs: seconds(60, context.scale) * 3,
      });
    },
    expect: (scale) => calm({ incident: 'HIGH_LATENCY', thresholdMs: seconds(60, scale) }),
  },
  {
    name: 'ws-latency-spike',
    section: '§3',
    description: 'WebSocket events delayed above the p95 threshold: WARN',
    config: CHURN,
    needsPosition: false,
    async inject(context) {
      context.inject({
        type: 'latency',
        target: 'ws',
        fixedMs: Math.round(3 * 500 * context.scale) + 50,
        durationMs: seconds(60, context.scale) * 3,
      });
    },
    expect: (scale) => calm({ incident: 'HIGH_LATENCY', thresholdMs: seconds(60, scale) }),
  },
  {
    name: 'stuck-order',
    section: '§4',
    description: 'a LIMIT order that never fills: cancel, reissue (bounded), then close the exposure',
    // A strategy that never trades (its slow average never warms up), so only the drill's order is live.
    config:
      'trading_engine:\n  symbols: [BTCUSDT]\n  strategy: { name: ema_crossover, params: { fast: 2, slow: 5000 } }\n',
    needsPosition: false,
    async inject(context) {
      context.inject({ type: 'stuck-orders', symbol: 'BTCUSDT' });
      const market = context.engine.engine.market.get('BTCUSDT');
      const price = market.bid ?? context.engine.engine.market.referencePrice('BTCUSDT');
      if (price === undefined) throw new Error('no BTCUSDT price yet');
      const result = await context.engine.engine.execution.submit({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        price,
        quantity: 100_000n,
        timeInForce: 'GTC',
        reduceOnly: false,
        purpose: 'drill: stuck order',
      });
      if (result.status !== 'sent') {
        throw new Error(
          `the drill's LIMIT order was not placed: ${result.status === 'denied' ? result.denial.message : result.error.message}`,
        );
      }
    },
    expect: (scale) => calm({ incident: 'STUCK_ORDER', thresholdMs: seconds(300, scale) }),
  },
  {
    name: 'drawdown-breach',
    section: '§5',
    description: 'the price path falls 3 % on a full-size long: daily drawdown > 2 % → kill switch',
    config: BIG_LONG,
    needsPosition: true,
    async inject(context) {
      context.inject({
        type: 'flash-crash',
        symbol: 'ETHUSDT',
        movePct: -3,
        overMs: Math.max(200, seconds(2, context.scale)),
      });
    },
    // Detected at the first equity sync after the breach: the sync interval plus the fall's duration.
    expect: (scale) =>
      killed({ incident: 'DAILY_DRAWDOWN', thresholdMs: seconds(5, scale) + Math.max(200, seconds(2, scale)) }),
  },
  {
    name: 'external-fill-small',
    section: '§6',
    description: 'a manual trade of 0.4 % of the position, hidden from the user stream: adopt + WARN',
    config: BIG_LONG,
    needsPosition: true,
    async inject(context) {
      const amount = context.engine.engine.tracker.position('ETHUSDT').amount;
      const qty = ((amount * 4n) / 1000n / 100_000n) * 100_000n;
      context.inject({
        type: 'external-fill',
        symbol: 'ETHUSDT',
        side: 'BUY',
        qty: formatUnits(qty > 0n ? qty : 100_000n),
        emitEvents: false,
      });
    },
    expect: (scale) => calm({ incident: 'POSITION_MISMATCH', thresholdMs: seconds(5, scale) }),
  },
  {
    name: 'external-fill-large',
    section: '§6',
    description:
      'a manual trade of 20 % of the position, hidden from the user stream: CRIT, halt until an operator reconciles',
    config: BIG_LONG,
    needsPosition: true,
    async inject(context) {
      const amount = context.engine.engine.tracker.position('ETHUSDT').amount;
      context.inject({
        type: 'external-fill',
        symbol: 'ETHUSDT',
        side: 'SELL',
        qty: formatUnits((amount / 5n / 100_000n) * 100_000n),
        emitEvents: false,
      });
    },
    expect: (scale) => ({
      incident: 'POSITION_MISMATCH',
      thresholdMs: seconds(5, scale),
      killSwitch: false,
      tradingState: 'HALTED',
      exchangeFlat: false,
      // The fill is recorded over REST (the engine's book follows the exchange); the halt is for people.
      localEqualsExchange: true,
    }),
  },
  {
    name: 'flash-crash',
    section: '§7',
    description:
      'a real 12 % fall within seconds (trades, book and mark agree): HALT, kill switch with the drawdown breach',
    config: BIG_LONG,
    needsPosition: true,
    async inject(context) {
      context.inject({
        type: 'flash-crash',
        symbol: 'ETHUSDT',
        movePct: -12,
        overMs: Math.max(200, seconds(10, context.scale)),
        scope: 'market',
      });
    },
    expect: (scale) => killed({ incident: 'FLASH_CRASH', thresholdMs: seconds(60, scale) }),
  },
  {
    name: 'data-error',
    section: '§7',
    description: 'only the mark-price stream falls 15 %: data error, WARN and resubscribe; no halt',
    config: LONG,
    needsPosition: true,
    async inject(context) {
      context.inject({
        type: 'flash-crash',
        symbol: 'ETHUSDT',
        movePct: -15,
        overMs: Math.max(200, seconds(10, context.scale)),
        scope: 'mark-price-only',
      });
    },
    expect: (scale) => calm({ incident: 'DATA_ERROR', thresholdMs: seconds(60, scale) }),
  },
  {
    name: 'kill-switch-flatten-refused',
    section: '§8',
    description: 'the first flatten orders are refused (503): other paths, verify flat within killswitch.verify_s',
    config: LONG,
    needsPosition: true,
    async inject(context) {
      context.inject({
        type: 'rest-error',
        status: 503,
        variant: 'unavailable',
        count: 2,
        paths: ['/fapi/v1/batchOrders'],
      });
      await context.engine.response.tripKillSwitch('drill: operator trigger', 'operator:drill');
    },
    expect: (scale) => killed({ incident: 'KILL_SWITCH', thresholdMs: seconds(30, scale) }),
  },
];

function formatUnits(units: bigint): string {
  const whole = units / 100_000_000n;
  const fraction = (units % 100_000_000n).toString().padStart(8, '0').replace(/0+$/, '');
  return fraction === '' ? whole.toString() : `${whole}.${fraction}`;
}

export function findScenario(name: string): DrillScenario | undefined {
  return DRILL_SCENARIOS.find((scenario) => scenario.name === name);
}

export type { DrillContext };
