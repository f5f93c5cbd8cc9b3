import type { Command } from 'commander';
import { loadConfig } from '../app/config/load-config.ts';
import { openExchangeSession, openLocalStore } from '../app/exchange-session.ts';
import { positionDifferences } from '../app/position-difference.ts';
import type { AdoptResult, DifferenceJson, ReconcileResult } from '../app/reconcile-commands.ts';
import { formatFixedTrimmed } from '../lib/fixed.ts';
import { SystemClock } from '../lib/system-clock.ts';
import { YunminError } from '../lib/yunmin-error.ts';
import { type CommonOptions, print, table, withCommon } from './cli-output.ts';
import { sendEngineCommand } from './control-client.ts';
import { nonEmptyOption } from './option-parsers.ts';

const BAND_TEXT: Readonly<Record<DifferenceJson['band'], string>> = {
  match: 'match',
  adopt: 'adopt (INFO)',
  'adopt-warn': 'adopt + WARN',
  halt: 'HALT (CRIT)',
};

function rows(symbols: readonly DifferenceJson[]): string[] {
  if (symbols.length === 0) return ['no positions on either side: nothing to reconcile'];
  return table([
    ['SYMBOL', 'LOCAL', 'EXCHANGE', 'DIFF_%', 'BANDS_SAY', 'WHY', 'OUTCOME'],
    ...symbols.map((s) => [s.symbol, s.local, s.exchange, s.diffPct, BAND_TEXT[s.band], s.why, s.outcome]),
  ]);
}

/**
 * `yunmin reconcile [--adopt-exchange --by NAME]` (playbook §6 steps 1, 2 and 4).
 * With the engine running: one reconciliation round now (the bands act as they do every sync), or,
 * with --adopt-exchange, the engine's book takes the exchange's positions, recorded on the incident.
 * With the engine down: the store's positions against the exchange's, read-only. Adopting is refused
 * then: the engine adopts every difference itself when it starts (crash-only recovery), and writing
 * the book of an engine that may be starting at that moment could race its recovery.
 */
export function registerReconcileCommand(program: Command): void {
  withCommon(
    program
      .command('reconcile')
      .description('compare local positions with the exchange now; --adopt-exchange takes the exchange positions')
      .option('--adopt-exchange', "the engine's book takes the exchange's positions (playbook §6 step 4)")
      .option(
        '--by <name>',
        'operator name, recorded on the incident (with --adopt-exchange)',
        nonEmptyOption('a name'),
      ),
  ).action(async (options: CommonOptions & { adoptExchange?: boolean; by?: string }) => {
    const config = loadConfig(options.config, process.env);
    if (options.adoptExchange === true) {
      if (options.by === undefined)
        throw new YunminError('CLI_INVALID_ARGUMENTS', '--adopt-exchange needs --by NAME: the operator is recorded');
      const sent = await sendEngineCommand(config, 'reconcile.adopt', { by: options.by });
      if (!sent.running)
        throw new YunminError(
          'CLI_ENGINE_NOT_RUNNING',
          '--adopt-exchange needs the running engine (start it: its startup recovery adopts the exchange positions and logs each one)',
        );
      const result = sent.result as AdoptResult;
      print(options, result, [
        ...rows(result.symbols),
        `adopted ${result.adopted}, skipped ${result.skipped}${result.incidents.length > 0 ? `; recorded on ${result.incidents.join(', ')}` : ''}`,
        'the trading state is unchanged: after a halt, `yunmin resume --by NAME` when you are satisfied',
      ]);
      if (result.skipped > 0) process.exitCode = 1;
      return;
    }
    const sent = await sendEngineCommand(config, 'reconcile', {});
    if (sent.running) {
      const result = sent.result as ReconcileResult;
      print(options, { source: 'engine', ...result }, [
        ...rows(result.symbols),
        `bands: adopt below ${result.bands.adoptBelowPct}%, halt above ${result.bands.haltAbovePct}% (or a sign flip, or one side flat)`,
      ]);
      return;
    }
    const store = openLocalStore(config);
    try {
      const { rest } = await openExchangeSession(config);
      try {
        const local = new Map(store.positions().map((position) => [position.symbol, position.amount]));
        const exchange = new Map((await rest.getPositions()).map((position) => [position.symbol, position.amount]));
        const bands = {
          adoptBelowPct: config.reconciliation.adoptBelowPct,
          haltAbovePct: config.reconciliation.haltAbovePct,
        };
        const symbols: DifferenceJson[] = positionDifferences(local, exchange, bands).map((difference) => ({
          symbol: difference.symbol,
          local: formatFixedTrimmed(difference.local),
          exchange: formatFixedTrimmed(difference.exchange),
          diffPct: formatFixedTrimmed(difference.diffPct),
          band: difference.band,
          why: difference.why,
          outcome: difference.band === 'match' ? 'match' : 'engine not running: adopted on its next start',
        }));
        print(options, { source: 'store', at: new SystemClock().now(), bands, symbols }, [
          'engine not running: the store compared with the exchange, nothing changed',
          ...rows(symbols),
        ]);
      } finally {
        await rest.close();
      }
    } finally {
      store.close();
    }
  });
}
