import { FIXED_SCALE, type Fixed, formatFixed, formatFixedTrimmed, mulFixed, roundToStep } from '../../lib/fixed.ts';
import { ApiError, apiErrors } from '../api-error.ts';
import type { Instrument } from '../instruments.ts';
import { isValidClientOrderId } from './client-order-ids.ts';
import type { NewOrderRequest, OrderSide, OrderType, TimeInForce } from './exchange.ts';

/**
 * The stateless half of order admission: the request on its own against the instrument's filters
 * and the mark price (reference §2.4, §2.5). Checks that need the account (duplicate client id,
 * open-order cap, reduce-only, margin, FOK/GTX) run in the exchange after this.
 */
export interface ValidatedOrder {
  readonly instrument: Instrument;
  readonly side: OrderSide;
  readonly type: OrderType;
  /** GTC for MARKET, as Binance reports it. */
  readonly timeInForce: TimeInForce;
  /** 0 for MARKET. */
  readonly price: Fixed;
  readonly quantity: Fixed;
  readonly reduceOnly: boolean;
  readonly clientOrderId: string | undefined;
}

/** Conditional types answer -4120 on /fapi/v1/order since the Algo Service move of 2025-12-09. */
const CONDITIONAL_TYPES: ReadonlySet<string> = new Set([
  'STOP',
  'STOP_MARKET',
  'TAKE_PROFIT',
  'TAKE_PROFIT_MARKET',
  'TRAILING_STOP_MARKET',
]);

const TIME_IN_FORCES: ReadonlySet<string> = new Set<TimeInForce>(['GTC', 'IOC', 'FOK', 'GTX']);
const STP_MODES: ReadonlySet<string> = new Set(['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH']);

// Binance codes not in the shared catalogue (docs: error-code).
export const positionSideMismatch = (): ApiError =>
  new ApiError(400, -4061, "Order's position side does not match user's setting.");
export const quantityNotPositive = (): ApiError => new ApiError(400, -4003, 'Quantity less than or equal to zero.');
export const priceNegative = (): ApiError => new ApiError(400, -4001, 'Price less than 0.');

export function validateOrderRequest(
  request: NewOrderRequest,
  instrumentOf: (symbol: string) => Instrument | undefined,
  markPriceOf: (symbol: string) => Fixed,
): ValidatedOrder {
  const instrument = instrumentOf(request.symbol);
  if (instrument === undefined) throw apiErrors.badSymbol();
  const side = parseSide(request.side);
  const type = parseType(request.type);
  if (request.positionSide !== undefined && request.positionSide !== 'BOTH') throw positionSideMismatch();
  checkUnsupportedOptions(request);

  let timeInForce: TimeInForce = 'GTC';
  let price: Fixed = 0n;
  if (type === 'LIMIT') {
    if (request.timeInForce === undefined) throw apiErrors.mandatoryParam('timeInForce');
    timeInForce = parseTimeInForce(request.timeInForce);
  }
  const quantity = request.quantity;
  if (quantity === undefined) throw apiErrors.mandatoryParam('quantity');
  if (type === 'LIMIT') {
    if (request.price === undefined) throw apiErrors.mandatoryParam('price');
    price = request.price;
  } else if (request.price !== undefined) {
    // A MARKET order's timeInForce is ignored, as Binance does; a price is refused.
    throw apiErrors.paramNotRequired('price');
  }
  if (quantity <= 0n) throw quantityNotPositive();
  if (price < 0n) throw priceNegative();

  const clientOrderId = request.newClientOrderId;
  if (clientOrderId !== undefined && !isValidClientOrderId(clientOrderId)) {
    throw apiErrors.invalidClientOrderId();
  }

  if (type === 'LIMIT') checkPriceFilter(price, instrument);
  checkLotSize(quantity, type, instrument);
  const markPrice = markPriceOf(instrument.symbol);
  if (type === 'LIMIT') checkPercentPrice(price, side, markPrice, instrument);
  if (!request.reduceOnly) checkMinNotional(type === 'LIMIT' ? price : markPrice, quantity, instrument);

  return { instrument, side, type, timeInForce, price, quantity, reduceOnly: request.reduceOnly, clientOrderId };
}

function parseSide(side: string): OrderSide {
  if (side === 'BUY' || side === 'SELL') return side;
  throw apiErrors.invalidSide();
}

function parseType(type: string): OrderType {
  if (type === 'LIMIT' || type === 'MARKET') return type;
  if (CONDITIONAL_TYPES.has(type)) throw apiErrors.conditionalMovedToAlgo();
  throw apiErrors.invalidOrderType();
}

/** GTD is listed by Binance but not simulated: it answers -1115 like an unknown value. */
function parseTimeInForce(timeInForce: string): TimeInForce {
  if (TIME_IN_FORCES.has(timeInForce)) return timeInForce as TimeInForce;
  throw apiErrors.invalidTimeInForce();
}

function checkUnsupportedOptions(request: NewOrderRequest): void {
  if (request.closePosition === true) {
    throw apiErrors.invalidParameter('closePosition', 'closePosition is only for STOP_MARKET/TAKE_PROFIT_MARKET');
  }
  if (request.stopPrice !== undefined) throw apiErrors.paramNotRequired('stopPrice');
  if (request.priceMatch !== undefined && request.priceMatch !== 'NONE') {
    throw apiErrors.invalidParameter('priceMatch', 'priceMatch is not supported by the simulator');
  }
  const stp = request.selfTradePreventionMode;
  if (stp !== undefined && !STP_MODES.has(stp)) throw apiErrors.invalidParameter('selfTradePreventionMode');
}

/** PRICE_FILTER: `(price − minPrice) % tickSize == 0`; a rule whose value is 0 is disabled (§2.4). */
function checkPriceFilter(price: Fixed, instrument: Instrument): void {
  if (instrument.minPrice > 0n && price < instrument.minPrice) throw apiErrors.priceBelowMin();
  if (instrument.maxPrice > 0n && price > instrument.maxPrice) throw apiErrors.priceAboveMax();
  if (instrument.tickSize > 0n && (price - instrument.minPrice) % instrument.tickSize !== 0n) {
    throw apiErrors.priceNotTick();
  }
}

/** LOT_SIZE for LIMIT, MARKET_LOT_SIZE for MARKET (§2.4). */
function checkLotSize(quantity: Fixed, type: OrderType, instrument: Instrument): void {
  const market = type === 'MARKET';
  const minQty = market ? instrument.marketMinQty : instrument.minQty;
  const maxQty = market ? instrument.marketMaxQty : instrument.maxQty;
  const stepSize = market ? instrument.marketStepSize : instrument.stepSize;
  if (minQty > 0n && quantity < minQty) throw apiErrors.qtyBelowMin();
  if (maxQty > 0n && quantity > maxQty) throw apiErrors.qtyAboveMax();
  if (stepSize > 0n && (quantity - minQty) % stepSize !== 0n) throw apiErrors.qtyNotStep();
}

/** PERCENT_PRICE relative to the mark price: BUY ≤ mark × up, SELL ≥ mark × down (§2.4). */
function checkPercentPrice(price: Fixed, side: OrderSide, markPrice: Fixed, instrument: Instrument): void {
  if (markPrice <= 0n) return;
  // Compared at 1e-16 so the bound is exact, not rounded.
  if (side === 'BUY' && price * FIXED_SCALE > markPrice * instrument.multiplierUp) {
    const limit = roundToStep(mulFixed(markPrice, instrument.multiplierUp, 'down'), instrument.tickSize, 'down');
    throw apiErrors.priceAboveMultiplierUp(formatFixed(limit, instrument.pricePrecision));
  }
  if (side === 'SELL' && price * FIXED_SCALE < markPrice * instrument.multiplierDown) {
    const limit = roundToStep(mulFixed(markPrice, instrument.multiplierDown, 'up'), instrument.tickSize, 'up');
    throw apiErrors.priceBelowMultiplierDown(formatFixed(limit, instrument.pricePrecision));
  }
}

/** MIN_NOTIONAL: price × qty, the mark price for MARKET; reduce-only orders are exempt (§2.4). */
function checkMinNotional(price: Fixed, quantity: Fixed, instrument: Instrument): void {
  if (instrument.minNotional <= 0n) return;
  if (price * quantity < instrument.minNotional * FIXED_SCALE) {
    throw apiErrors.minNotional(formatFixedTrimmed(instrument.minNotional));
  }
}
