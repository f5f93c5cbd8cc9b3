import type { LogLevel } from '../../ports/logger.ts';

/** `2025-01-27 14:25:30`: the playbook's timestamp (§1, §5 examples), UTC, whole seconds. */
export function formatLogTimestamp(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/**
 * One line of trading.log: `YYYY-MM-DD HH:MM:SS | LEVEL | message`, exactly as the playbook shows
 * and greps it. A newline inside the message is escaped so that one entry stays one grep-able line
 * and a message cannot forge a second entry.
 */
export function formatTextLine(epochMs: number, level: LogLevel, message: string): string {
  return `${formatLogTimestamp(epochMs)} | ${level} | ${escapeLineBreaks(message)}\n`;
}

/** One line of trading.jsonl; `fields` must already be plain JSON (see Redactor.fields). */
export function formatJsonLine(
  epochMs: number,
  level: LogLevel,
  message: string,
  fields: Readonly<Record<string, unknown>>,
): string {
  return `${JSON.stringify({ time: new Date(epochMs).toISOString(), level, message, fields })}\n`;
}

function escapeLineBreaks(text: string): string {
  return text.includes('\n') || text.includes('\r') ? text.replace(/\r?\n|\r/g, '\\n') : text;
}
