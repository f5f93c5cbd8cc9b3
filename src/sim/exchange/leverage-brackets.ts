import { type Fixed, fixedFromInteger } from '../../lib/fixed.ts';

/**
 * A simplified notional bracket table, shaped like Binance's BTCUSDT brackets
 * (GET /fapi/v1/leverageBracket): the higher the leverage, the smaller the position it allows.
 * One table serves every symbol; the fixture's symbolConfig (leverage 20 → "100000000") matches it.
 */
const BRACKETS: readonly { readonly maxLeverage: number; readonly notionalCap: Fixed }[] = [
  { maxLeverage: 125, notionalCap: fixedFromInteger(50_000) },
  { maxLeverage: 100, notionalCap: fixedFromInteger(600_000) },
  { maxLeverage: 75, notionalCap: fixedFromInteger(3_000_000) },
  { maxLeverage: 50, notionalCap: fixedFromInteger(12_000_000) },
  { maxLeverage: 25, notionalCap: fixedFromInteger(70_000_000) },
  { maxLeverage: 20, notionalCap: fixedFromInteger(100_000_000) },
  { maxLeverage: 10, notionalCap: fixedFromInteger(230_000_000) },
  { maxLeverage: 5, notionalCap: fixedFromInteger(480_000_000) },
  { maxLeverage: 4, notionalCap: fixedFromInteger(600_000_000) },
  { maxLeverage: 3, notionalCap: fixedFromInteger(800_000_000) },
  { maxLeverage: 2, notionalCap: fixedFromInteger(1_200_000_000) },
  { maxLeverage: 1, notionalCap: fixedFromInteger(1_800_000_000) },
];

/** The largest position notional allowed at `leverage`: the cap of the widest bracket that permits it. */
export function maxNotionalValue(leverage: number): Fixed {
  let cap: Fixed = 0n;
  for (const bracket of BRACKETS) {
    if (bracket.maxLeverage >= leverage && bracket.notionalCap > cap) cap = bracket.notionalCap;
  }
  return cap;
}
