import { type Command, InvalidArgumentError } from 'commander';
import { generateClientOrderId } from '../adapters/binance-usdm/rest/client-order-id.ts';
import { loadConfig } from '../app/config/load-config.ts';
import { openExchangeSession, openLocalStore } from '../app/exchange-session.ts';
import { readRuntimeInfo } from '../app/runtime-info.ts';
import { absFixed, formatFixedTrimmed } from '../lib/fixed.ts';
import { SystemClock } from '../lib/system-clock.ts';
import { integerOption } from './option-parsers.ts';
import { findStuckOrders, stuckOrderRows } from './stuck-orders.ts';

interface CommonOptions {
  config: string;
  json?: boolean;
}

const show = (value: bigint): string => formatFixedTrimmed(value);
const time = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

function symbolArgument(value: string): string {
  const symbol = value.toUpperCase();
  if (!/^[A-Z0-9]{2,20}$/.test(symbol))
    throw new InvalidArgumentError(`expected a symbol such as BTCUSDT, got "${value}"`);
  return symbol;
}

/** Prints rows as an aligned table, or the JSON value with --json. */
function output(options: CommonOptions, json: unknown, rows: readonly (readonly string[])[]): void {
  if (options.json === true) {
    process.stdout.write(
      `${JSON.stringify(json, (_key, value: unknown) => (typeof value === 'bigint' ? formatFixedTrimmed(value) : value), 2)}\n`,
    );
    return;
  }
  const widths = rows[0]?.map((_cell, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  for (const row of rows)
    process.stdout.write(
      `${row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd()}\n`,
    );
}

function withCommon(command: Command): Command {
  return command
    .option('--config <file>', "YAML configuration (the engine's)", 'config.example.yaml')
    .option('--json', 'machine-readable output');
}

async function session(options: CommonOptions) {
  const config = loadConfig(options.config, process.env);
  const opened = await openExchangeSession(config);
  return { config, ...opened };
}

/**
 * The playbook's verification steps as commands (issue 4 point 10). They talk to the exchange
 * directly, so they work whether or not the engine runs (except against the embedded simulator,
 * which lives inside the engine).
 */
export function registerRunbookCommands(program: Command): void {
  withCommon(
    program.command('status').description('engine health (if running), trading state, kill switch, positions'),
  ).action(async (options: CommonOptions) => {
    const config = loadConfig(options.config, process.env);
    const runtime = readRuntimeInfo(config.stateDir);
    let health: Record<string, unknown> | undefined;
    if (runtime !== undefined) {
      try {
        const response = await fetch(`${runtime.healthUrl}/health`, { signal: AbortSignal.timeout(3_000) });
        health = (await response.json()) as Record<string, unknown>;
      } catch {
        health = undefined;
      }
    }
    const store = openLocalStore(config);
    try {
      const trading = store.getTradingState();
      const killSwitch = store.getKillSwitch();
      const positions = store.positions().filter((p) => p.amount !== 0n);
      const json = {
        engine: health ?? { running: false },
        tradingState: trading?.state ?? 'ACTIVE',
        killSwitch,
        positions,
      };
      output(options, json, [
        [
          'engine',
          health === undefined
            ? 'not running'
            : `running (${String(health.mode)}, ${String(health.status)}) pid ${runtime?.pid}`,
        ],
        [
          'trading state',
          `${trading?.state ?? 'ACTIVE'}${trading === undefined ? '' : ` since ${time(trading.changedAt)} by ${trading.changedBy}`}`,
        ],
        [
          'kill switch',
          killSwitch.state === 'TRIPPED' ? `TRIPPED at ${time(killSwitch.at)}: ${killSwitch.reason}` : 'ARMED',
        ],
        ['ws connected', health === undefined ? '-' : String(health.ws_connected)],
        ['last update age', health === undefined ? '-' : `${String(health.last_update_age_s)} s`],
        ['positions (local)', positions.map((p) => `${p.symbol} ${show(p.amount)}`).join(', ') || 'flat'],
      ]);
    } finally {
      store.close();
    }
  });

  withCommon(
    program.command('positions').description('positions on the exchange, next to what the engine recorded'),
  ).action(async (options: CommonOptions) => {
    const { config, rest } = await session(options);
    const store = openLocalStore(config);
    try {
      const exchange = await rest.getPositions();
      const local = new Map(store.positions().map((p) => [p.symbol, p.amount]));
      const symbols = [
        ...new Set([
          ...exchange.map((p) => p.symbol),
          ...[...local.entries()].filter(([, a]) => a !== 0n).map(([s]) => s),
        ]),
      ];
      const rows = symbols.map((symbol) => {
        const remote = exchange.find((p) => p.symbol === symbol);
        const localAmount = local.get(symbol) ?? 0n;
        return {
          symbol,
          amount: remote?.amount ?? 0n,
          entryPrice: remote?.entryPrice ?? 0n,
          markPrice: remote?.markPrice ?? 0n,
          unrealizedPnl: remote?.unrealizedPnl ?? 0n,
          local: localAmount,
          match: localAmount === (remote?.amount ?? 0n),
        };
      });
      output(options, rows, [
        ['SYMBOL', 'AMOUNT', 'ENTRY', 'MARK', 'UNREALIZED', 'LOCAL', 'MATCH'],
        ...rows.map((r) => [
          r.symbol,
          show(r.amount),
          show(r.entryPrice),
          show(r.markPrice),
          show(r.unrealizedPnl),
          show(r.local),
          r.match ? 'yes' : 'NO',
        ]),
      ]);
    } finally {
      store.close();
      await rest.close();
    }
  });

  withCommon(program.command('account').description('wallet balance, unrealized PnL, available balance')).action(
    async (options: CommonOptions) => {
      const { rest } = await session(options);
      try {
        const account = await rest.getAccount();
        output(options, account, [
          ['totalWalletBalance', show(account.totalWalletBalance)],
          ['totalUnrealizedProfit', show(account.totalUnrealizedProfit)],
          ['totalMarginBalance', show(account.totalMarginBalance)],
          ['availableBalance', show(account.availableBalance)],
        ]);
      } finally {
        await rest.close();
      }
    },
  );

  withCommon(program.command('orders').description('open orders on the exchange, with age'))
    .option('--symbol <symbol>', 'one symbol only', symbolArgument)
    .option('--stuck', 'only orders older than executor.max_order_age_s (playbook §4 step 1)')
    .action(async (options: CommonOptions & { symbol?: string; stuck?: boolean }) => {
      if (options.stuck === true) {
        const config = loadConfig(options.config, process.env);
        const stuck = await findStuckOrders(config, options.symbol);
        output(options, stuck, stuckOrderRows(stuck, config.executor.maxOrderAgeS));
        return;
      }
      const { rest } = await session(options);
      try {
        const orders = await rest.getOpenOrders(options.symbol);
        const now = new SystemClock().now();
        output(options, orders, [
          ['SYMBOL', 'ORDER_ID', 'CLIENT_ID', 'SIDE', 'TYPE', 'PRICE', 'QTY', 'FILLED', 'STATUS', 'AGE_S'],
          ...orders.map((o) => [
            o.symbol,
            String(o.orderId),
            o.clientOrderId,
            o.side,
            o.type,
            show(o.price),
            show(o.origQty),
            show(o.executedQty),
            o.status,
            String(Math.round((now - o.updateTime) / 1000)),
          ]),
        ]);
      } finally {
        await rest.close();
      }
    });

  withCommon(
    program
      .command('trades')
      .description('recent fills of one symbol')
      .argument('<symbol>', 'e.g. BTCUSDT', symbolArgument),
  )
    .option('--last <n>', 'how many', integerOption(1, 1000), 20)
    .action(async (symbol: string, options: CommonOptions & { last: number }) => {
      const { rest } = await session(options);
      try {
        const fills = (await rest.getMyTrades(symbol, { limit: options.last })).slice(-options.last);
        output(options, fills, [
          ['TIME', 'TRADE_ID', 'ORDER_ID', 'SIDE', 'PRICE', 'QTY', 'FEE', 'REALIZED'],
          ...fills.map((f) => [
            time(f.time),
            String(f.tradeId),
            String(f.orderId),
            f.side,
            show(f.price),
            show(f.qty),
            show(f.commission),
            show(f.realizedPnl),
          ]),
        ]);
      } finally {
        await rest.close();
      }
    });

  withCommon(
    program
      .command('cancel')
      .description('cancel one order on the exchange')
      .argument('<symbol>', 'e.g. BTCUSDT', symbolArgument)
      .argument('<orderId>', 'the exchange order id', integerOption(1)),
  ).action(async (symbol: string, orderId: number, options: CommonOptions) => {
    const { rest } = await session(options);
    try {
      const report = await rest.cancelOrder(symbol, { orderId });
      output(options, report ?? { result: 'already gone' }, [
        [
          report === undefined
            ? `order ${orderId}: already gone (filled, cancelled or unknown)`
            : `order ${orderId}: ${report.status}`,
        ],
      ]);
    } finally {
      await rest.close();
    }
  });

  withCommon(
    program
      .command('close')
      .description('close a position with a reduce-only MARKET order')
      .argument('<symbol>', 'e.g. BTCUSDT', symbolArgument),
  ).action(async (symbol: string, options: CommonOptions) => {
    const { rest } = await session(options);
    try {
      const position = await rest.getPosition(symbol);
      if (position.amount === 0n) {
        output(options, { symbol, result: 'flat' }, [[`${symbol}: already flat`]]);
        return;
      }
      const report = await rest.placeOrder({
        symbol,
        side: position.amount > 0n ? 'SELL' : 'BUY',
        type: 'MARKET',
        quantity: absFixed(position.amount),
        reduceOnly: true,
        clientOrderId: generateClientOrderId('ym-close-'),
      });
      output(options, report, [
        [
          `${symbol}: reduce-only MARKET ${report.side} ${show(report.origQty)} sent (order ${report.orderId}, ${report.status})`,
        ],
      ]);
    } finally {
      await rest.close();
    }
  });
}
