import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../app/config/load-config.ts';
import { openLocalStore } from '../app/exchange-session.ts';
import { type Incident, timeToContain, timeToDetect } from '../domain/incident.ts';
import { YunminError } from '../lib/yunmin-error.ts';
import { integerOption } from './option-parsers.ts';

interface IncidentOptions {
  config: string;
  json?: boolean;
  open?: boolean;
  limit: number;
}

const time = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** 850 ms, 4.2 s, 3m 07s, 2h 05m. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(1)} s`;
  const seconds = Math.round(abs / 1000);
  if (seconds < 3600) return `${sign}${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
  const minutes = Math.round(seconds / 60);
  return `${sign}${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** The incident as JSON, with time to detect and contain computed (DESIGN: computed, never typed). */
function incidentJson(incident: Incident): Record<string, unknown> {
  return { ...incident, timeToDetectMs: timeToDetect(incident), timeToContainMs: timeToContain(incident) ?? null };
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_cell, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function listText(incidents: readonly Incident[], openOnly: boolean): string {
  if (incidents.length === 0) return openOnly ? 'no open incidents' : 'no incidents recorded';
  return table([
    ['ID', 'TYPE', 'SEVERITY', 'STATUS', 'DETECTED', 'TTD', 'TTC', 'SUMMARY'],
    ...incidents.map((i) => [
      i.id,
      i.symbol === undefined ? i.type : `${i.type} ${i.symbol}`,
      i.severity,
      i.status,
      time(i.detectedAt),
      formatDuration(timeToDetect(i)),
      formatDuration(timeToContain(i)),
      i.summary,
    ]),
  ]);
}

/** Every field, then the actions as a timeline relative to detection, then the acknowledgements. */
export function incidentDetailText(incident: Incident): string {
  const relative = (at: number): string => {
    const delta = at - incident.detectedAt;
    return `${delta >= 0 ? '+' : '-'}${formatDuration(Math.abs(delta))}`;
  };
  const fields: [string, string][] = [
    ['id', incident.id],
    ['type', incident.type],
    ['severity', incident.severity],
    ['status', incident.status],
    ...(incident.symbol === undefined ? [] : ([['symbol', incident.symbol]] as [string, string][])),
    ['summary', incident.summary],
    ['first evidence', `${time(incident.firstEvidenceAt)}  ${incident.firstEvidence}`],
    ['detected', time(incident.detectedAt)],
    ['contained', incident.containedAt === undefined ? '-' : time(incident.containedAt)],
    ['resolved', incident.resolvedAt === undefined ? '-' : time(incident.resolvedAt)],
    ['time to detect', formatDuration(timeToDetect(incident))],
    ['time to contain', formatDuration(timeToContain(incident))],
  ];
  const width = Math.max(...fields.map(([name]) => name.length));
  const lines = fields.map(([name, value]) => `${name.padEnd(width)}  ${value}`);
  lines.push('', `actions (${incident.actions.length}, times from detection):`);
  if (incident.actions.length === 0) lines.push('  none');
  else {
    lines.push(
      table(
        incident.actions.map((a) => [
          `  ${relative(a.at)}`,
          a.result.toUpperCase(),
          a.action,
          a.detail === undefined ? '' : a.detail,
        ]),
      ),
    );
  }
  lines.push('', `acknowledgements (${incident.acknowledgements.length}):`);
  if (incident.acknowledgements.length === 0) lines.push('  none');
  for (const ack of incident.acknowledgements) lines.push(`  ${time(ack.at)} (${relative(ack.at)})  ${ack.by}`);
  return lines.join('\n');
}

/**
 * `yunmin incidents [--open] [--limit N]` and `yunmin incidents show ID` (issue 5 point 4): the
 * incident records from the engine's store. Works with the engine up or down (SQLite WAL lets a
 * reader beside the writer).
 */
export function registerIncidentCommands(program: Command): void {
  program
    .command('incidents')
    .description('incident records: list (newest first), or `incidents show ID` for one in full')
    .argument('[command]', '"show" to print one incident in full', (value: string) => {
      if (value !== 'show') throw new InvalidArgumentError(`expected "show" or nothing, got "${value}"`);
      return value;
    })
    .argument('[id]', 'the incident id (with show)')
    .option('--config <file>', "YAML configuration (the engine's)", 'config.example.yaml')
    .option('--json', 'machine-readable output')
    .option('--open', 'only incidents not yet resolved')
    .option('--limit <n>', 'at most this many', integerOption(1, 10_000), 50)
    .action((command: string | undefined, id: string | undefined, options: IncidentOptions) => {
      const config = loadConfig(options.config, process.env);
      const store = openLocalStore(config);
      try {
        if (command === 'show') {
          if (id === undefined) throw new YunminError('CLI_MISSING_ARGUMENT', 'incidents show: give the incident id');
          const incident = store.getIncident(id);
          if (incident === undefined) {
            throw new YunminError('CLI_NOT_FOUND', `no incident ${id}; list them with \`yunmin incidents\``);
          }
          process.stdout.write(
            options.json === true
              ? `${JSON.stringify(incidentJson(incident), null, 2)}\n`
              : `${incidentDetailText(incident)}\n`,
          );
          return;
        }
        if (id !== undefined) throw new YunminError('CLI_UNEXPECTED_ARGUMENT', `unexpected argument "${id}"`);
        const incidents = store.listIncidents({ openOnly: options.open === true, limit: options.limit });
        process.stdout.write(
          options.json === true
            ? `${JSON.stringify(incidents.map(incidentJson), null, 2)}\n`
            : `${listText(incidents, options.open === true)}\n`,
        );
      } finally {
        store.close();
      }
    });
}
