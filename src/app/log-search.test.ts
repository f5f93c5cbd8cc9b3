import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logFiles, parseDuration, parseLogLine, searchLogs } from './log-search.ts';

describe('searchLogs over trading.log and its rotated files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'yunmin-logs-'));
    writeFileSync(join(dir, 'trading.log.2'), '2025-01-27 14:00:00 | INFO | oldest: engine started\n');
    writeFileSync(
      join(dir, 'trading.log.1'),
      '2025-01-27 14:20:00 | WARN | REST: 429 on GET /fapi/v1/order\n2025-01-27 14:21:00 | INFO | WebSocket reconnected\n',
    );
    writeFileSync(
      join(dir, 'trading.log'),
      '2025-01-27 14:25:30 | CRIT | WebSocket stale: 75s\n2025-01-27 14:25:30 | CRIT | Triggering kill-switch\nnot a log line: 503\n',
    );
    writeFileSync(join(dir, 'trading.jsonl'), '{"level":"CRIT","message":"WebSocket stale"}\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rotated files oldest first (higher number = older), then the current file; the jsonl is not read', () => {
    expect(logFiles(dir).map((file) => file.slice(dir.length + 1))).toEqual([
      'trading.log.2',
      'trading.log.1',
      'trading.log',
    ]);
    expect(searchLogs(dir, {})[0]?.message).toBe('oldest: engine started');
  });

  it('--grep is case-insensitive across files, like grep -i', () => {
    expect(searchLogs(dir, { grep: /websocket|ws/i }).map((line) => line.message)).toEqual([
      'WebSocket reconnected',
      'WebSocket stale: 75s',
    ]);
  });

  it('--level WARN → WARN and CRIT only; unparsed lines dropped when a level or time filter applies', () => {
    expect(searchLogs(dir, { level: 'WARN' }).map((line) => line.level)).toEqual(['WARN', 'CRIT', 'CRIT']);
    expect(searchLogs(dir, { grep: /503/ }).map((line) => line.text)).toEqual(['not a log line: 503']);
    expect(searchLogs(dir, { grep: /503/, level: 'INFO' })).toEqual([]);
  });

  it('--since keeps lines at or after the time; --tail keeps the last N matches', () => {
    const since = Date.parse('2025-01-27T14:21:00Z');
    expect(searchLogs(dir, { since }).map((line) => line.message)).toEqual([
      'WebSocket reconnected',
      'WebSocket stale: 75s',
      'Triggering kill-switch',
    ]);
    expect(searchLogs(dir, { level: 'INFO', tail: 2 }).map((line) => line.message)).toEqual([
      'WebSocket stale: 75s',
      'Triggering kill-switch',
    ]);
  });

  it('no logs directory → no lines, no error', () => {
    expect(searchLogs(join(dir, 'missing'), { grep: /x/ })).toEqual([]);
  });
});

describe('parseLogLine and parseDuration', () => {
  it('the playbook line format → time (UTC), level and message', () => {
    expect(parseLogLine('2025-01-27 14:25:30 | CRIT | a | b')).toMatchObject({
      at: Date.parse('2025-01-27T14:25:30Z'),
      level: 'CRIT',
      message: 'a | b',
    });
    expect(parseLogLine('garbage')).toBeUndefined();
  });

  it('durations → ms; anything else → undefined', () => {
    expect([parseDuration('90s'), parseDuration('5m'), parseDuration('2h'), parseDuration('1d')]).toEqual([
      90_000, 300_000, 7_200_000, 86_400_000,
    ]);
    expect(parseDuration('5 minutes')).toBeUndefined();
    expect(parseDuration('-5m')).toBeUndefined();
  });
});
