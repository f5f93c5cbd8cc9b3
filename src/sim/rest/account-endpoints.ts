import type { PositionView } from '../exchange/exchange.ts';
import {
  accountV2ToWire,
  accountV3ToWire,
  balanceToWire,
  isPositionActive,
  positionRiskV2ToWire,
  positionRiskV3ToWire,
} from './account-wire-format.ts';
import { type Endpoint, type EndpointContext, optionalInstrument, requireInstrument } from './endpoint.ts';
import { formatPlain } from './wire-decimals.ts';

/** Signed account endpoints (reference §2.3): account, balance, positionRisk (v2 and v3), leverage. */

/** One row per listed symbol, flat ones included, the way v2 reports a one-way account. */
function everySymbolPosition(context: EndpointContext): PositionView[] {
  const rows: PositionView[] = [];
  for (const instrument of context.market.instruments) {
    const row = context.exchange.positions(instrument.symbol).find((position) => position.symbol === instrument.symbol);
    if (row !== undefined) rows.push(row);
  }
  return rows;
}

function maxNotionalLookup(context: EndpointContext) {
  return (symbol: string) => context.state.maxNotionalBySymbol.get(symbol);
}

export const ACCOUNT_ENDPOINTS: readonly Endpoint[] = [
  {
    method: 'GET',
    path: '/fapi/v2/account',
    security: 'USER_DATA',
    weight: 5,
    handle: (context) =>
      accountV2ToWire(context.exchange.account(), everySymbolPosition(context), maxNotionalLookup(context)),
  },
  {
    method: 'GET',
    path: '/fapi/v3/account',
    security: 'USER_DATA',
    weight: 5,
    handle: (context) => accountV3ToWire(context.exchange.account()),
  },
  ...(['/fapi/v2/balance', '/fapi/v3/balance'] as const).map(
    (path): Endpoint => ({
      method: 'GET',
      path,
      security: 'USER_DATA',
      weight: 5,
      handle: (context) => balanceToWire(context.exchange.account()),
    }),
  ),
  {
    method: 'GET',
    path: '/fapi/v2/positionRisk',
    security: 'USER_DATA',
    weight: 5,
    handle: (context) => {
      const instrument = optionalInstrument(context);
      const rows =
        instrument === undefined
          ? everySymbolPosition(context)
          : context.exchange.positions(instrument.symbol).filter((row) => row.symbol === instrument.symbol);
      return rows.map((row) => positionRiskV2ToWire(row, maxNotionalLookup(context)));
    },
  },
  {
    method: 'GET',
    path: '/fapi/v3/positionRisk',
    security: 'USER_DATA',
    weight: 5,
    handle: (context) => {
      // v3 lists only symbols with a position or open orders, even when one symbol is asked for.
      const instrument = optionalInstrument(context);
      const rows = context.exchange
        .positions(instrument?.symbol)
        .filter((row) => isPositionActive(row) && (instrument === undefined || row.symbol === instrument.symbol));
      return rows.map(positionRiskV3ToWire);
    },
  },
  {
    method: 'POST',
    path: '/fapi/v1/leverage',
    security: 'TRADE',
    weight: 1,
    handle: (context) => {
      const instrument = requireInstrument(context);
      const leverage = context.params.requiredInteger('leverage');
      const result = context.exchange.setLeverage(instrument.symbol, leverage);
      context.state.maxNotionalBySymbol.set(result.symbol, result.maxNotionalValue);
      return {
        leverage: result.leverage,
        maxNotionalValue: formatPlain(result.maxNotionalValue),
        symbol: result.symbol,
      };
    },
  },
  {
    // One-way mode only (exchange contract); engines ask this at start-up.
    method: 'GET',
    path: '/fapi/v1/positionSide/dual',
    security: 'USER_DATA',
    weight: 30,
    handle: () => ({ dualSidePosition: false }),
  },
];
