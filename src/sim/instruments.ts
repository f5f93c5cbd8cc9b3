import { type Fixed, parseFixed } from '../lib/fixed.ts';

/**
 * One USDⓈ-M perpetual as the simulator lists it in exchangeInfo. Filter values are copied from
 * Binance's live exchangeInfo (reference/fixtures, entries 26–27) so that the engine meets real
 * tick sizes, step sizes and notional floors.
 */
export interface Instrument {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: 'USDT';
  readonly marginAsset: 'USDT';
  readonly pricePrecision: number;
  readonly quantityPrecision: number;
  readonly minPrice: Fixed;
  readonly maxPrice: Fixed;
  readonly tickSize: Fixed;
  readonly minQty: Fixed;
  readonly maxQty: Fixed;
  readonly stepSize: Fixed;
  readonly marketMinQty: Fixed;
  readonly marketMaxQty: Fixed;
  readonly marketStepSize: Fixed;
  readonly maxNumOrders: number;
  readonly minNotional: Fixed;
  readonly multiplierUp: Fixed;
  readonly multiplierDown: Fixed;
  readonly multiplierDecimal: number;
  readonly maintMarginPercent: Fixed;
  readonly requiredMarginPercent: Fixed;
  readonly triggerProtect: Fixed;
  readonly liquidationFee: Fixed;
  readonly marketTakeBound: Fixed;
  readonly onboardDate: number;
  /** Where the seeded random walk starts (no Binance field). */
  readonly initialPrice: Fixed;
  /** Default leverage of a fresh account (Binance: 20 for most symbols). */
  readonly defaultLeverage: number;
  readonly maxLeverage: number;
}

function instrument(fields: {
  symbol: string;
  baseAsset: string;
  pricePrecision: number;
  quantityPrecision: number;
  minPrice: string;
  maxPrice: string;
  tickSize: string;
  minQty: string;
  maxQty: string;
  stepSize: string;
  marketMaxQty: string;
  minNotional: string;
  initialPrice: string;
  maxLeverage: number;
  onboardDate: number;
}): Instrument {
  return {
    symbol: fields.symbol,
    baseAsset: fields.baseAsset,
    quoteAsset: 'USDT',
    marginAsset: 'USDT',
    pricePrecision: fields.pricePrecision,
    quantityPrecision: fields.quantityPrecision,
    minPrice: parseFixed(fields.minPrice),
    maxPrice: parseFixed(fields.maxPrice),
    tickSize: parseFixed(fields.tickSize),
    minQty: parseFixed(fields.minQty),
    maxQty: parseFixed(fields.maxQty),
    stepSize: parseFixed(fields.stepSize),
    marketMinQty: parseFixed(fields.minQty),
    marketMaxQty: parseFixed(fields.marketMaxQty),
    marketStepSize: parseFixed(fields.stepSize),
    maxNumOrders: 200,
    minNotional: parseFixed(fields.minNotional),
    multiplierUp: parseFixed('1.05'),
    multiplierDown: parseFixed('0.95'),
    multiplierDecimal: 4,
    maintMarginPercent: parseFixed('2.5'),
    requiredMarginPercent: parseFixed('5'),
    triggerProtect: parseFixed('0.05'),
    liquidationFee: parseFixed('0.0125'),
    marketTakeBound: parseFixed('0.05'),
    onboardDate: fields.onboardDate,
    initialPrice: parseFixed(fields.initialPrice),
    defaultLeverage: 20,
    maxLeverage: fields.maxLeverage,
  };
}

export const DEFAULT_INSTRUMENTS: readonly Instrument[] = [
  instrument({
    symbol: 'BTCUSDT',
    baseAsset: 'BTC',
    pricePrecision: 2,
    quantityPrecision: 3,
    minPrice: '556.80',
    maxPrice: '4529764',
    tickSize: '0.10',
    minQty: '0.001',
    maxQty: '1000',
    stepSize: '0.001',
    marketMaxQty: '120',
    minNotional: '5',
    initialPrice: '114048.90',
    maxLeverage: 125,
    onboardDate: 1569398400000,
  }),
  instrument({
    symbol: 'ETHUSDT',
    baseAsset: 'ETH',
    pricePrecision: 2,
    quantityPrecision: 3,
    minPrice: '39.86',
    maxPrice: '306177',
    tickSize: '0.01',
    minQty: '0.001',
    maxQty: '10000',
    stepSize: '0.001',
    marketMaxQty: '2000',
    minNotional: '5',
    initialPrice: '4145.12',
    maxLeverage: 125,
    onboardDate: 1569398400000,
  }),
  instrument({
    symbol: 'BNBUSDT',
    baseAsset: 'BNB',
    pricePrecision: 3,
    quantityPrecision: 2,
    minPrice: '6.600',
    maxPrice: '100000',
    tickSize: '0.010',
    minQty: '0.01',
    maxQty: '100000',
    stepSize: '0.01',
    marketMaxQty: '2000',
    minNotional: '5',
    initialPrice: '1012.340',
    maxLeverage: 75,
    onboardDate: 1581292800000,
  }),
];
