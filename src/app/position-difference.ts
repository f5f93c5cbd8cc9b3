import { absFixed, divFixed, type Fixed, formatFixed, formatFixedTrimmed, maxFixed, parseFixed } from '../lib/fixed.ts';

/**
 * What playbook §6's bands say about one symbol's difference (DESIGN incident 6), the same rule the
 * ReconciliationDetector applies every sync: below adopt_below_pct the exchange's amount is adopted
 * (INFO); up to halt_above_pct adopted with a WARN incident; above it, on a sign flip or with one side
 * flat, CRIT and HALTED until an operator reconciles (`yunmin reconcile --adopt-exchange`).
 */
export type DifferenceBand = 'match' | 'adopt' | 'adopt-warn' | 'halt';

export interface PositionDifference {
  readonly symbol: string;
  readonly local: Fixed;
  readonly exchange: Fixed;
  /** |exchange − local| as a percent of the larger absolute amount (0 when both are flat). */
  readonly diffPct: Fixed;
  readonly band: DifferenceBand;
  /** Why the band, in the playbook's words ("sign flip", "0.500% between 0.1% and 1%"). */
  readonly why: string;
}

export interface DifferenceBands {
  /** reconciliation.adopt_below_pct, a percent (0.1 = 0.1 %). */
  readonly adoptBelowPct: number;
  /** reconciliation.halt_above_pct, a percent (1 = 1 %). */
  readonly haltAbovePct: number;
}

const percent = (value: number): Fixed => parseFixed(value.toFixed(8));

export function positionDifference(
  symbol: string,
  local: Fixed,
  exchange: Fixed,
  bands: DifferenceBands,
): PositionDifference {
  const larger = maxFixed(absFixed(local), absFixed(exchange));
  const diffPct = larger === 0n ? 0n : divFixed(absFixed(exchange - local) * 100n, larger);
  const of = (band: DifferenceBand, why: string): PositionDifference => ({
    symbol,
    local,
    exchange,
    diffPct,
    band,
    why,
  });
  if (local === exchange) return of('match', 'equal');
  const pct = `${formatFixed(diffPct, 3)}%`;
  const adoptBelow = percent(bands.adoptBelowPct);
  const haltAbove = percent(bands.haltAbovePct);
  if (local !== 0n && exchange !== 0n && local > 0n !== exchange > 0n) return of('halt', 'sign flip');
  if ((local === 0n) !== (exchange === 0n)) return of('halt', 'one side flat');
  if (diffPct > haltAbove) return of('halt', `${pct} > ${formatFixedTrimmed(haltAbove)}%`);
  if (diffPct < adoptBelow) return of('adopt', `${pct} < ${formatFixedTrimmed(adoptBelow)}% (likely rounding)`);
  return of('adopt-warn', `${pct} between ${formatFixedTrimmed(adoptBelow)}% and ${formatFixedTrimmed(haltAbove)}%`);
}

/** Every symbol either side knows, sorted, with its difference. */
export function positionDifferences(
  local: ReadonlyMap<string, Fixed>,
  exchange: ReadonlyMap<string, Fixed>,
  bands: DifferenceBands,
): PositionDifference[] {
  return [...new Set([...local.keys(), ...exchange.keys()])]
    .sort()
    .map((symbol) => positionDifference(symbol, local.get(symbol) ?? 0n, exchange.get(symbol) ?? 0n, bands))
    .filter((difference) => !(difference.local === 0n && difference.exchange === 0n));
}
