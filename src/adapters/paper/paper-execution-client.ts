import type { AccountSnapshot } from '../../domain/account.ts';
import type { FillReport, OrderRef, OrderReport, OrderRequest } from '../../domain/order.ts';
import { applyFill, flatPosition, type Position } from '../../domain/position.ts';
import type { UserEvent } from '../../domain/user-event.ts';
import type { MarketState } from '../../engine/market-state.ts';
import type { Clock } from '../../lib/clock.ts';
import { type Fixed, formatFixedTrimmed, mulFixed, parseFixed, roundToStep } from '../../lib/fixed.ts';
import type { ExecutionVenue } from '../../ports/execution-venue.ts';
import type { Store } from '../../ports/store.ts';

export interface PaperOptions {
  /** Opening balance of the paper account (risk_manager.initial_capital). */
  readonly initialBalance: Fixed;
  /** Binance VIP 0 rates: maker 0.0002, taker 0.0005. */
  readonly makerFee: Fixed;
  readonly takerFee: Fixed;
  /** Adverse slippage on MARKET fills, in basis points of the touched price (executor.slippage_bps). */
  readonly slippageBps: number;
  /** Tick size per symbol, so slipped prices stay on the grid. */
  readonly tickSize: (symbol: string) => Fixed;
}

interface PaperOrder {
  report: OrderReport;
  readonly request: OrderRequest;
}

const WALLET_KEY = 'paper.walletBalance';
/** Paper trade ids start far above any exchange's, so a shadow-paper fill never collides with a live one. */
const PAPER_TRADE_ID_BASE = 9_000_000_000_000;
const BPS = 10_000n;

/**
 * DRY_RUN's venue (issue 4 point 2): the identical pipeline with a paper account. MARKET orders fill
 * at once against the live top of book with slippage and the taker fee; LIMIT orders rest and fill
 * at their price, as maker, when the live book crosses them. Fills are delivered as user events, as
 * the exchange's user stream would, so the engine cannot tell the difference.
 * Simplifications (said here and in the README): top-of-book only (no depth walk), no partial fills,
 * no margin checks, no funding.
 */
export class PaperExecutionClient implements ExecutionVenue {
  readonly #clock: Clock;
  readonly #store: Store;
  readonly #market: MarketState;
  readonly #options: PaperOptions;
  readonly #orders = new Map<string, PaperOrder>();
  readonly #positions = new Map<string, Position>();
  #listener: (event: UserEvent) => void = () => undefined;
  #nextOrderId = 1;
  #nextTradeId = 1;
  #wallet: Fixed;

  constructor(deps: { clock: Clock; store: Store; market: MarketState; options: PaperOptions }) {
    this.#clock = deps.clock;
    this.#store = deps.store;
    this.#market = deps.market;
    this.#options = deps.options;
    const saved = deps.store.getValue(WALLET_KEY);
    this.#wallet = saved === undefined ? deps.options.initialBalance : parseFixed(saved);
    for (const position of deps.store.positions()) this.#positions.set(position.symbol, position);
    this.#nextOrderId = Number(deps.store.getValue('paper.nextOrderId') ?? '1');
    this.#nextTradeId = Number(deps.store.getValue('paper.nextTradeId') ?? String(PAPER_TRADE_ID_BASE));
  }

  /**
   * Starts the paper account over from flat (after a kill switch trip the live positions are being
   * closed on the exchange; the strategy's paper book begins empty).
   */
  startFresh(): void {
    this.#positions.clear();
    for (const order of this.#orders.values()) if (isOpen(order.report)) this.#finish(order, 'CANCELED');
  }

  /** Where the paper fills go (the engine's user-event handler). */
  onUserEvent(listener: (event: UserEvent) => void): void {
    this.#listener = listener;
  }

  async placeOrder(request: OrderRequest): Promise<OrderReport> {
    const now = this.#clock.now();
    const report: OrderReport = {
      symbol: request.symbol,
      orderId: this.#nextOrderId++,
      clientOrderId: request.clientOrderId,
      side: request.side,
      type: request.type,
      timeInForce: request.timeInForce ?? (request.type === 'MARKET' ? 'GTC' : 'GTC'),
      status: 'NEW',
      rawStatus: 'NEW',
      price: request.price ?? 0n,
      origQty: request.quantity,
      executedQty: 0n,
      reduceOnly: request.reduceOnly,
      updateTime: now,
    };
    this.#store.setValue('paper.nextOrderId', String(this.#nextOrderId));
    const order: PaperOrder = { report, request };
    this.#orders.set(request.clientOrderId, order);
    this.#emitOrder(order, 'NEW');
    if (request.type === 'MARKET') {
      const touch = this.#touch(request.symbol, request.side);
      if (touch === undefined) {
        this.#finish(order, 'EXPIRED');
      } else {
        const slip = (touch * BigInt(this.#options.slippageBps)) / BPS;
        const tick = this.#options.tickSize(request.symbol);
        const price =
          request.side === 'BUY' ? roundToStep(touch + slip, tick, 'up') : roundToStep(touch - slip, tick, 'down');
        this.#fill(order, price, this.#options.takerFee, false);
      }
    } else {
      this.onMarket(request.symbol);
      if (order.report.status === 'NEW' && (request.timeInForce === 'IOC' || request.timeInForce === 'FOK'))
        this.#finish(order, 'EXPIRED');
    }
    return order.report;
  }

  async placeOrders(requests: readonly OrderRequest[]): Promise<readonly (OrderReport | Error)[]> {
    const replies: (OrderReport | Error)[] = [];
    for (const request of requests) replies.push(await this.placeOrder(request));
    return replies;
  }

  async cancelOrder(_symbol: string, ref: OrderRef): Promise<OrderReport | undefined> {
    const order = this.#find(ref);
    if (order === undefined || !isOpen(order.report)) return undefined;
    this.#finish(order, 'CANCELED');
    return order.report;
  }

  async cancelAllOpenOrders(symbol: string): Promise<void> {
    for (const order of this.#orders.values())
      if (order.report.symbol === symbol && isOpen(order.report)) this.#finish(order, 'CANCELED');
  }

  async getOrder(_symbol: string, ref: OrderRef): Promise<OrderReport | undefined> {
    return this.#find(ref)?.report;
  }

  async getOpenOrders(symbol?: string): Promise<readonly OrderReport[]> {
    return [...this.#orders.values()]
      .map((o) => o.report)
      .filter((r) => isOpen(r) && (symbol === undefined || r.symbol === symbol));
  }

  /** Resting LIMIT orders fill when the live book crosses them (call on every market event). */
  onMarket(symbol: string): void {
    const market = this.#market.get(symbol);
    for (const order of this.#orders.values()) {
      const { report } = order;
      if (report.symbol !== symbol || report.type !== 'LIMIT' || !isOpen(report)) continue;
      const crossed =
        report.side === 'BUY'
          ? market.ask !== undefined && market.ask <= report.price
          : market.bid !== undefined && market.bid >= report.price;
      if (crossed) this.#fill(order, report.price, this.#options.makerFee, true);
    }
  }

  /** The paper account: wallet (initial capital + realized − fees) plus unrealized on the reference price. */
  async account(): Promise<AccountSnapshot> {
    let unrealized = 0n;
    const positions = [...this.#positions.values()]
      .filter((position) => position.amount !== 0n)
      .map((position) => {
        const mark = this.#market.referencePrice(position.symbol) ?? position.entryPrice;
        const pnl = mulFixed(position.amount, mark - position.entryPrice);
        unrealized += pnl;
        return {
          symbol: position.symbol,
          amount: position.amount,
          entryPrice: position.entryPrice,
          markPrice: mark,
          unrealizedPnl: pnl,
          notional: mulFixed(position.amount, mark),
          updateTime: this.#clock.now(),
        };
      });
    return {
      totalWalletBalance: this.#wallet,
      totalUnrealizedProfit: unrealized,
      totalMarginBalance: this.#wallet + unrealized,
      availableBalance: this.#wallet + unrealized,
      balances: [
        {
          asset: 'USDT',
          walletBalance: this.#wallet,
          availableBalance: this.#wallet + unrealized,
          unrealizedPnl: unrealized,
        },
      ],
      positions,
      updateTime: this.#clock.now(),
    };
  }

  #touch(symbol: string, side: 'BUY' | 'SELL'): Fixed | undefined {
    const market = this.#market.get(symbol);
    return (side === 'BUY' ? market.ask : market.bid) ?? this.#market.referencePrice(symbol);
  }

  #fill(order: PaperOrder, price: Fixed, feeRate: Fixed, maker: boolean): void {
    const { request } = order;
    let qty = request.quantity;
    const before = this.#positions.get(request.symbol) ?? flatPosition(request.symbol);
    if (request.reduceOnly) {
      const reduces = (before.amount > 0n && request.side === 'SELL') || (before.amount < 0n && request.side === 'BUY');
      const available = before.amount < 0n ? -before.amount : before.amount;
      if (!reduces) {
        this.#finish(order, 'EXPIRED');
        return;
      }
      if (qty > available) qty = available;
    }
    const after = applyFill(before, request.side, qty, price);
    this.#positions.set(request.symbol, after);
    const commission = mulFixed(mulFixed(qty, price), feeRate);
    const realized = after.realizedPnl - before.realizedPnl;
    this.#wallet += realized - commission;
    this.#store.setValue(WALLET_KEY, formatFixedTrimmed(this.#wallet));
    const tradeId = this.#nextTradeId++;
    this.#store.setValue('paper.nextTradeId', String(this.#nextTradeId));
    order.report = {
      ...order.report,
      status: 'FILLED',
      rawStatus: 'FILLED',
      executedQty: qty,
      avgPrice: price,
      updateTime: this.#clock.now(),
    };
    const fill: FillReport = {
      symbol: request.symbol,
      tradeId,
      orderId: order.report.orderId,
      clientOrderId: request.clientOrderId,
      side: request.side,
      price,
      qty,
      commission,
      commissionAsset: 'USDT',
      realizedPnl: realized,
      maker,
      time: this.#clock.now(),
    };
    this.#emitOrder(order, 'TRADE', fill);
  }

  #finish(order: PaperOrder, status: 'CANCELED' | 'EXPIRED'): void {
    order.report = { ...order.report, status, rawStatus: status, updateTime: this.#clock.now() };
    this.#emitOrder(order, status);
  }

  #emitOrder(order: PaperOrder, executionType: string, fill?: FillReport): void {
    const now = this.#clock.now();
    const { report } = order;
    this.#listener({
      kind: 'orderUpdate',
      eventTime: now,
      receivedAt: now,
      symbol: report.symbol,
      orderId: report.orderId,
      clientOrderId: report.clientOrderId,
      side: report.side,
      orderType: report.type,
      executionType,
      status: report.status,
      rawStatus: report.rawStatus,
      origQty: report.origQty,
      price: report.price,
      avgPrice: report.avgPrice ?? 0n,
      cumulativeFilledQty: report.executedQty,
      reduceOnly: report.reduceOnly,
      ...(fill !== undefined && {
        fill: {
          tradeId: fill.tradeId,
          qty: fill.qty,
          price: fill.price,
          commission: fill.commission,
          commissionAsset: fill.commissionAsset,
          realizedPnl: fill.realizedPnl,
          maker: fill.maker,
          time: fill.time,
        },
      }),
    });
  }

  #find(ref: OrderRef): PaperOrder | undefined {
    if (ref.clientOrderId !== undefined) return this.#orders.get(ref.clientOrderId);
    return [...this.#orders.values()].find((order) => order.report.orderId === ref.orderId);
  }
}

function isOpen(report: OrderReport): boolean {
  return report.status === 'NEW' || report.status === 'PARTIALLY_FILLED';
}
