import type { Command } from 'commander';
import { formatFixedTrimmed } from '../lib/fixed.ts';

/** Options every runbook command takes. */
export interface CommonOptions {
  config: string;
  json?: boolean;
}

export function withCommon(command: Command): Command {
  return command
    .option('--config <file>', "YAML configuration (the engine's)", 'config.example.yaml')
    .option('--json', 'machine-readable output');
}

/** `2025-01-27 14:25:30`, UTC, as trading.log prints time. */
export const timeText = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** Rows as aligned columns (the first row is the header). */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_cell, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

/** Readable lines, or the JSON value with --json (bigints as decimals). */
export function print(options: { json?: boolean }, json: unknown, lines: readonly string[]): void {
  process.stdout.write(
    options.json === true
      ? `${JSON.stringify(json, (_key, value: unknown) => (typeof value === 'bigint' ? formatFixedTrimmed(value) : value), 2)}\n`
      : lines.length === 0
        ? ''
        : `${lines.join('\n')}\n`,
  );
}
