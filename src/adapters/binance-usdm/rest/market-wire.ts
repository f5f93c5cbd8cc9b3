import { z } from 'zod';
import type { ExchangeInfo, Instrument, RateLimitRule } from '../../../domain/instrument.ts';
import type { Candle, PriceLevel } from '../../../domain/market-event.ts';
import { FIXED_ZERO, type Fixed } from '../../../lib/fixed.ts';
import { decimal, integer } from './wire-fields.ts';

/** exchangeInfo, depth, time, leverage and listenKey replies (reference §2.3, §2.4, §3.4). */

export const serverTimeSchema = z.object({ serverTime: integer });

const priceLevel = z.tuple([decimal, decimal]).rest(z.unknown());

export const depthWireSchema = z.object({
  lastUpdateId: integer,
  bids: z.array(priceLevel),
  asks: z.array(priceLevel),
});

export function toPriceLevels(levels: readonly (readonly [Fixed, Fixed, ...unknown[]])[]): PriceLevel[] {
  return levels.map(([price, qty]) => ({ price, qty }));
}

/** `/fapi/v1/klines`: 12-element arrays, times and count as numbers, prices and volumes as strings. */
export const klinesWireSchema = z.array(
  z.tuple([integer, decimal, decimal, decimal, decimal, decimal, integer]).rest(z.unknown()),
);

export function toCandles(rows: z.infer<typeof klinesWireSchema>, now: number): Candle[] {
  return rows
    .filter(([, , , , , , closeTime]) => closeTime < now)
    .map(([openTime, open, high, low, close, volume, closeTime]) => ({
      openTime,
      closeTime,
      open,
      high,
      low,
      close,
      volume,
    }));
}

/** Request weight of klines by limit (Binance: <100 → 1, <500 → 2, ≤1000 → 5, else 10). */
export function klinesWeight(limit: number): number {
  if (limit < 100) return 1;
  if (limit < 500) return 2;
  if (limit <= 1000) return 5;
  return 10;
}

export const leverageReplySchema = z.object({ leverage: integer, symbol: z.string() });
export const listenKeyReplySchema = z.object({ listenKey: z.string().min(1) });

const rateLimitSchema = z.object({
  rateLimitType: z.string(),
  interval: z.string(),
  intervalNum: integer,
  limit: integer,
});

const INTERVAL_MS: Readonly<Record<string, number>> = {
  SECOND: 1000,
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: 86_400_000,
};

const filterSchema = z.looseObject({ filterType: z.string() });

const symbolSchema = z.object({
  symbol: z.string(),
  status: z.string(),
  baseAsset: z.string(),
  quoteAsset: z.string(),
  pricePrecision: integer,
  quantityPrecision: integer,
  filters: z.array(filterSchema),
});

export const exchangeInfoWireSchema = z.object({
  serverTime: integer,
  rateLimits: z.array(rateLimitSchema),
  symbols: z.array(z.unknown()),
});

/** Filter values by name: strings are decimals, numbers are counts (§2.4; fixtures stringify both). */
const priceFilter = z.object({ minPrice: decimal, maxPrice: decimal, tickSize: decimal });
const lotFilter = z.object({ minQty: decimal, maxQty: decimal, stepSize: decimal });
const countFilter = z.object({ limit: integer });
const notionalFilter = z.object({ notional: decimal });
const percentFilter = z.object({ multiplierUp: decimal, multiplierDown: decimal });

function filterOf<T>(filters: readonly { filterType: string }[], type: string, schema: z.ZodType<T>): T | undefined {
  const found = filters.find((filter) => filter.filterType === type);
  if (found === undefined) return undefined;
  const parsed = schema.safeParse(found);
  if (!parsed.success) throw new RangeError(`${type}: ${parsed.error.issues[0]?.message ?? 'malformed'}`);
  return parsed.data;
}

/** One symbol, or a reason it cannot be used (a missing PRICE_FILTER or LOT_SIZE makes it unusable). */
export function toInstrument(raw: unknown): Instrument | string {
  const parsed = symbolSchema.safeParse(raw);
  if (!parsed.success)
    return `symbol: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`;
  const wire = parsed.data;
  try {
    const price = filterOf(wire.filters, 'PRICE_FILTER', priceFilter);
    const lot = filterOf(wire.filters, 'LOT_SIZE', lotFilter);
    if (price === undefined || lot === undefined) return `${wire.symbol}: PRICE_FILTER or LOT_SIZE missing`;
    // Absent rules are disabled (a value of 0 disables a rule, §2.4); MAX_NUM_ORDERS is 200 on every USDⓈ-M symbol.
    const market = filterOf(wire.filters, 'MARKET_LOT_SIZE', lotFilter) ?? lot;
    const maxOrders = filterOf(wire.filters, 'MAX_NUM_ORDERS', countFilter);
    const notional = filterOf(wire.filters, 'MIN_NOTIONAL', notionalFilter);
    const percent = filterOf(wire.filters, 'PERCENT_PRICE', percentFilter);
    return {
      symbol: wire.symbol,
      baseAsset: wire.baseAsset,
      quoteAsset: wire.quoteAsset,
      status: wire.status,
      pricePrecision: wire.pricePrecision,
      quantityPrecision: wire.quantityPrecision,
      tickSize: price.tickSize,
      minPrice: price.minPrice,
      maxPrice: price.maxPrice,
      stepSize: lot.stepSize,
      minQty: lot.minQty,
      maxQty: lot.maxQty,
      marketStepSize: market.stepSize,
      marketMinQty: market.minQty,
      marketMaxQty: market.maxQty,
      minNotional: notional?.notional ?? FIXED_ZERO,
      maxNumOrders: maxOrders?.limit ?? 200,
      multiplierUp: percent?.multiplierUp ?? FIXED_ZERO,
      multiplierDown: percent?.multiplierDown ?? FIXED_ZERO,
    };
  } catch (error) {
    return `${wire.symbol}: ${error instanceof Error ? error.message : 'malformed filter'}`;
  }
}

/** Maps exchangeInfo; symbols that cannot be used are skipped and reported, never fatal. */
export function toExchangeInfo(
  wire: z.output<typeof exchangeInfoWireSchema>,
  onSkippedSymbol: (reason: string) => void,
): ExchangeInfo {
  const rateLimits: RateLimitRule[] = [];
  for (const rule of wire.rateLimits) {
    const unit = INTERVAL_MS[rule.interval];
    if (unit === undefined) continue;
    if (
      rule.rateLimitType !== 'REQUEST_WEIGHT' &&
      rule.rateLimitType !== 'ORDERS' &&
      rule.rateLimitType !== 'RAW_REQUESTS'
    ) {
      continue;
    }
    rateLimits.push({ type: rule.rateLimitType, intervalMs: unit * rule.intervalNum, limit: rule.limit });
  }
  const instruments: Instrument[] = [];
  for (const raw of wire.symbols) {
    const instrument = toInstrument(raw);
    if (typeof instrument === 'string') onSkippedSymbol(instrument);
    else instruments.push(instrument);
  }
  return { serverTime: wire.serverTime, rateLimits, instruments };
}
