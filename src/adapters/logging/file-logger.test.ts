import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../lib/test-clock.ts';
import { type CreateLoggerOptions, createLogger, type FileLogger } from './file-logger.ts';

const PLAYBOOK_TIME = Date.UTC(2025, 0, 27, 14, 25, 30);
const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const API_SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

const loggers: FileLogger[] = [];
const directories: string[] = [];

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'yunmin-logs-'));
  directories.push(directory);
  return directory;
}

function logger(overrides: Partial<CreateLoggerOptions> = {}): { log: FileLogger; clock: TestClock; dir: string } {
  const clock = new TestClock(PLAYBOOK_TIME);
  const dir = overrides.logsDir ?? join(temporaryDirectory(), 'logs');
  const log = createLogger({ clock, logsDir: dir, redact: [API_KEY, API_SECRET], ...overrides });
  loggers.push(log);
  return { log, clock, dir };
}

const read = (path: string): string => readFileSync(path, 'utf8');
const jsonLines = (path: string): Record<string, unknown>[] =>
  read(path)
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

afterEach(() => {
  for (const log of loggers.splice(0)) log.close();
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('createLogger: trading.log', () => {
  it('messages on the test clock → the playbook lines, byte for byte', () => {
    const { log, clock } = logger();
    log.crit('WebSocket stale: 75s');
    log.crit('Triggering kill-switch');
    clock.advance(15 * 60_000 - 30_000);
    log.crit('Daily DD: 2.1%');
    log.crit('Positions: 0');
    log.crit('KILL_SWITCH activated');
    log.warn('REST error 429: Too many requests');
    log.info('Order placed BTCUSDT BUY 0.002');
    expect(read(log.textLogPath)).toBe(
      [
        '2025-01-27 14:25:30 | CRIT | WebSocket stale: 75s',
        '2025-01-27 14:25:30 | CRIT | Triggering kill-switch',
        '2025-01-27 14:40:00 | CRIT | Daily DD: 2.1%',
        '2025-01-27 14:40:00 | CRIT | Positions: 0',
        '2025-01-27 14:40:00 | CRIT | KILL_SWITCH activated',
        '2025-01-27 14:40:00 | WARN | REST error 429: Too many requests',
        '2025-01-27 14:40:00 | INFO | Order placed BTCUSDT BUY 0.002',
        '',
      ].join('\n'),
    );
  });

  it('playbook grep "CRIT" → only the CRIT lines', () => {
    const { log } = logger();
    log.info('Decision BTCUSDT hold');
    log.crit('WebSocket stale: 75s');
    log.warn('WebSocket stale: 12s');
    const critical = read(log.textLogPath)
      .split('\n')
      .filter((line) => line.includes('CRIT'));
    expect(critical).toEqual(['2025-01-27 14:25:30 | CRIT | WebSocket stale: 75s']);
  });

  it('message with a newline → stays one line', () => {
    const { log } = logger();
    log.warn('first\nsecond\r\nthird');
    expect(read(log.textLogPath)).toBe('2025-01-27 14:25:30 | WARN | first\\nsecond\\nthird\n');
  });

  it('level WARN → INFO dropped from both files', () => {
    const { log } = logger({ level: 'WARN' });
    log.info('noise');
    log.warn('kept');
    expect(read(log.textLogPath)).toBe('2025-01-27 14:25:30 | WARN | kept\n');
    expect(jsonLines(log.jsonLogPath).map((entry) => entry.message)).toEqual(['kept']);
  });

  it('restart → appends to the existing log', () => {
    const { log, dir } = logger();
    log.info('before crash');
    log.close();
    const { log: again } = logger({ logsDir: dir });
    again.info('after restart');
    expect(read(again.textLogPath).split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('echo → receives the same redacted line', () => {
    const echoed: string[] = [];
    const { log } = logger({ echo: (line) => echoed.push(line) });
    log.info(`key ${API_KEY}`);
    expect(echoed).toEqual(['2025-01-27 14:25:30 | INFO | key [redacted]\n']);
  });
});

describe('createLogger: trading.jsonl', () => {
  it('entry → one object with time, level, message and fields (child fields merged)', () => {
    const { log } = logger();
    const executor = log.child({ component: 'executor' });
    executor.warn('Order stuck', { symbol: 'BTCUSDT', ageS: 301, orderId: 12345678901234n });
    log.info('plain');
    expect(jsonLines(log.jsonLogPath)).toEqual([
      {
        time: '2025-01-27T14:25:30.000Z',
        level: 'WARN',
        message: 'Order stuck',
        fields: { component: 'executor', symbol: 'BTCUSDT', ageS: 301, orderId: '12345678901234' },
      },
      { time: '2025-01-27T14:25:30.000Z', level: 'INFO', message: 'plain', fields: {} },
    ]);
  });

  it('error and cyclic fields → serialised without throwing', () => {
    const { log } = logger();
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const error = Object.assign(new Error('HTTP 503 Unknown error'), { code: 'EXCHANGE_UNAVAILABLE' });
    log.crit('REST error 503', { error, cyclic });
    const [entry] = jsonLines(log.jsonLogPath);
    expect(entry?.fields).toMatchObject({
      error: { name: 'Error', message: 'HTTP 503 Unknown error', code: 'EXCHANGE_UNAVAILABLE' },
      cyclic: { name: 'loop', self: '[circular]' },
    });
  });
});

describe('createLogger: redaction', () => {
  it('secrets, signatures and API-key headers → "[redacted]" in both files', () => {
    const { log } = logger();
    const url = `https://fapi.binance.com/fapi/v1/order?symbol=BTCUSDT&timestamp=1&signature=3c5a8f0e9b2d7c41aa00ff`;
    log.crit(`REST error 401 ${url} secret=${API_SECRET}`, {
      url,
      headers: { 'X-MBX-APIKEY': API_KEY, 'content-type': 'application/json' },
      nested: [{ note: `used ${API_KEY}` }],
      apiSecret: 'not-registered-but-named-secret',
    });
    log.warn(`request headers X-MBX-APIKEY: ${'z'.repeat(20)} sent`);
    const both = read(log.textLogPath) + read(log.jsonLogPath);
    for (const leaked of [
      API_KEY,
      API_SECRET,
      '3c5a8f0e9b2d7c41aa00ff',
      'not-registered-but-named-secret',
      'z'.repeat(20),
    ]) {
      expect(both).not.toContain(leaked);
    }
    expect(read(log.textLogPath)).toContain('signature=[redacted] secret=[redacted]');
    expect(read(log.textLogPath)).toContain('X-MBX-APIKEY: [redacted] sent');
    const [entry] = jsonLines(log.jsonLogPath);
    expect(entry?.fields).toMatchObject({
      headers: { 'X-MBX-APIKEY': '[redacted]', 'content-type': 'application/json' },
      nested: [{ note: 'used [redacted]' }],
      apiSecret: '[redacted]',
    });
  });
});

describe('createLogger: rotation', () => {
  it('tiny size → rotates, keeps N files, newest lines last and none lost among the kept', () => {
    const { log, dir } = logger({ rotateMaxBytes: 200, rotateKeep: 2 });
    for (let index = 0; index < 30; index++) log.info(`line ${String(index).padStart(2, '0')}`);
    const path = log.textLogPath;
    expect(existsSync(`${path}.1`)).toBe(true);
    expect(existsSync(`${path}.2`)).toBe(true);
    expect(existsSync(`${path}.3`)).toBe(false);
    for (const file of [path, `${path}.1`, `${path}.2`]) expect(statSync(file).size).toBeLessThanOrEqual(200);
    const kept = [`${path}.2`, `${path}.1`, path].flatMap((file) => read(file).trimEnd().split('\n'));
    const numbers = kept.map((line) => Number(line.slice(-2)));
    expect(numbers.at(-1)).toBe(29);
    const first = numbers[0] ?? Number.NaN;
    expect(numbers).toEqual(numbers.map((_, index) => first + index));
    expect(existsSync(join(dir, 'trading.jsonl.1'))).toBe(true);
  });

  it('keep 0 → the full file is dropped, not renamed', () => {
    const { log } = logger({ rotateMaxBytes: 100, rotateKeep: 0 });
    for (let index = 0; index < 10; index++) log.info(`line ${index}`);
    expect(existsSync(`${log.textLogPath}.1`)).toBe(false);
    expect(read(log.textLogPath)).toContain('line 9');
  });
});

describe('createLogger: write failures', () => {
  it('logs dir cannot be created → no throw, failures counted, reported once', () => {
    const base = temporaryDirectory();
    writeFileSync(join(base, 'not-a-directory'), '');
    const notices: string[] = [];
    const { log } = logger({
      logsDir: join(base, 'not-a-directory', 'logs'),
      reportFailure: (text) => notices.push(text),
    });
    log.crit('KILL_SWITCH activated');
    log.info('more');
    expect(log.writeFailures).toBe(4);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/cannot write .*trading\.log .*ENOTDIR/);
  });

  it('disk full → survives, and writes again once space is back', () => {
    const dir = join(temporaryDirectory(), 'logs');
    mkdirSync(dir);
    const path = join(dir, 'trading.log');
    symlinkSync('/dev/full', path); // every write: ENOSPC
    const notices: string[] = [];
    const { log } = logger({ logsDir: dir, reportFailure: (text) => notices.push(text) });
    log.crit('during');
    log.crit('still full');
    expect(log.writeFailures).toBe(2);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('ENOSPC');
    rmSync(path);
    log.crit('after');
    expect(read(path)).toBe('2025-01-27 14:25:30 | CRIT | after\n');
    expect(read(join(dir, 'trading.jsonl'))).toContain('"during"');
  });

  it('after close → calls are ignored', () => {
    const { log } = logger();
    log.info('one');
    log.close();
    log.info('two');
    expect(read(log.textLogPath)).toBe('2025-01-27 14:25:30 | INFO | one\n');
    expect(log.writeFailures).toBe(0);
  });
});
