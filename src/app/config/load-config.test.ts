import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseFixed } from '../../lib/fixed.ts';
import { YunminError } from '../../lib/yunmin-error.ts';
import { CONFIG_INVALID, CONFIG_UNREADABLE, ConfigInvalidError, formatConfigProblem } from './config-invalid-error.ts';
import { DEFAULT_CONFIG } from './default-config.ts';
import { type ConfigOverrides, loadConfig, parseConfig } from './load-config.ts';

/** The formatted problems of a config that must be rejected. */
function problemsOf(text: string, env: Record<string, string> = {}, overrides: ConfigOverrides = {}): string[] {
  try {
    parseConfig(text, env, 'test.yaml', overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigInvalidError);
    expect(error).toBeInstanceOf(YunminError);
    expect((error as ConfigInvalidError).code).toBe(CONFIG_INVALID);
    return (error as ConfigInvalidError).problems.map(formatConfigProblem);
  }
  throw new Error('expected the config to be rejected');
}

const KEYS = { BINANCE_API_KEY: 'k3yVALUEabcdef0123', BINANCE_API_SECRET: 's3cretVALUEfedcba9876' };

describe('parseConfig', () => {
  it('empty file → every key at its default', () => {
    expect(parseConfig('', {})).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG.executor.timeoutMs).toBe(5000);
    expect(DEFAULT_CONFIG.riskManager.maxDailyDd).toBe(0.02);
    expect(DEFAULT_CONFIG.riskManager.initialCapital).toBe(parseFixed('300'));
    expect(DEFAULT_CONFIG.websocket.staleKillS).toBe(60);
    expect(DEFAULT_CONFIG.mode).toBe('DRY_RUN');
  });

  it('one key set → that key changes, its neighbours keep their defaults', () => {
    const config = parseConfig('executor:\n  timeout_ms: 7000\n', {});
    expect(config.executor.timeoutMs).toBe(7000);
    expect(config.executor.maxOrderAgeS).toBe(300);
    expect(config.tradingEngine.symbols).toEqual(['BTCUSDT', 'ETHUSDT']);
  });

  it('wrong type → the key path, what was expected and what was given', () => {
    expect(problemsOf('executor:\n  timeout_ms: fast\n')).toEqual([
      'executor.timeout_ms: expected an integer ≥ 100, got "fast"',
    ]);
  });

  it('out of range, fraction written as a percent, empty value → each named', () => {
    expect(problemsOf('executor:\n  timeout_ms: 50\n')).toEqual([
      'executor.timeout_ms: expected an integer ≥ 100, got 50',
    ]);
    expect(problemsOf('risk_manager:\n  max_daily_dd: 2\n')).toEqual([
      'risk_manager.max_daily_dd: expected a fraction in (0, 1], e.g. 0.02 = 2 % of the day’s starting equity, got 2',
    ]);
    expect(problemsOf('websocket:\n  stale_kill_s:\n')).toEqual([
      'websocket.stale_kill_s: expected a number of seconds > 0, got an empty value',
    ]);
    expect(problemsOf('exchange:\n  embedded_simulator: yes\n')).toEqual([
      'exchange.embedded_simulator: expected true or false, got "yes"',
    ]);
  });

  it('several problems → all reported at once', () => {
    const problems = problemsOf(
      ['mode: live', 'executor:', '  timeout_ms: fast', '  max_open_orders: 0', 'health:', '  port: 70000'].join('\n'),
    );
    expect(problems).toEqual([
      'mode: expected one of LIVE, DRY_RUN, got "live"',
      'executor.timeout_ms: expected an integer ≥ 100, got "fast"',
      'executor.max_open_orders: expected an integer ≥ 1, got 0',
      'health.port: expected an integer from 0 to 65535, got 70000',
    ]);
  });

  it('unknown keys, nested or top level → errors with a did-you-mean', () => {
    expect(problemsOf('risk_manager:\n  max_daily_ddd: 0.01\n')).toEqual([
      'risk_manager.max_daily_ddd: unknown key (did you mean max_daily_dd?)',
    ]);
    expect(problemsOf('latency:\n  mitigation:\n    enabeld: true\n')).toEqual([
      'latency.mitigation.enabeld: unknown key (did you mean enabled?)',
    ]);
    expect(problemsOf('executor:\n  timeoutMs: 7000\n')).toEqual([
      'executor.timeoutMs: unknown key (did you mean timeout_ms?)',
    ]);
    expect(problemsOf('risk_manger: {}\n')).toEqual(['risk_manger: unknown key (did you mean risk_manager?)']);
  });

  it('unknown key like nothing known → lists the keys of that section', () => {
    expect(problemsOf('killswitch:\n  colour: red\n')).toEqual([
      'killswitch.colour: unknown key (expected one of: verify_s)',
    ]);
  });

  it('wrong list element → its index in the path', () => {
    expect(problemsOf('trading_engine:\n  symbols: [BTCUSDT, btc-usdt]\n')).toEqual([
      'trading_engine.symbols[1]: expected a symbol such as BTCUSDT, got "btc-usdt"',
    ]);
  });

  it('strategy params → passed through as written, unknown keys allowed there', () => {
    const config = parseConfig(
      'trading_engine:\n  strategy:\n    name: momentum\n    params: { fast_period: 9 }\n',
      {},
    );
    expect(config.tradingEngine.strategy).toEqual({ name: 'momentum', params: { fast_period: 9 } });
  });

  it('initial capital → exact Fixed from a number or a decimal string; 9 decimals rejected', () => {
    expect(parseConfig('risk_manager:\n  initial_capital: 300.12345678\n', {}).riskManager.initialCapital).toBe(
      30_012_345_678n,
    );
    expect(parseConfig('risk_manager:\n  initial_capital: "25000.5"\n', {}).riskManager.initialCapital).toBe(
      parseFixed('25000.5'),
    );
    expect(problemsOf('risk_manager:\n  initial_capital: 0.123456789\n')).toEqual([
      'risk_manager.initial_capital: expected an amount of USDT (a positive decimal with at most 8 places), got 0.123456789',
    ]);
  });

  it('stale warn not below stale kill → cross-key error naming both keys', () => {
    expect(problemsOf('websocket:\n  stale_warn_s: 60\n')).toEqual([
      'websocket.stale_warn_s: expected less than websocket.stale_kill_s (60), got 60',
    ]);
    expect(problemsOf('latency:\n  mitigation:\n    raised_timeout_ms: 3000\n')).toEqual([
      'latency.mitigation.raised_timeout_ms: expected at least executor.timeout_ms (5000), got 3000',
    ]);
  });

  it('invalid YAML or duplicate key → line and column', () => {
    expect(problemsOf('executor:\n  timeout_ms: [1\nmode: LIVE\n')[0]).toMatch(
      /^line \d+, column \d+: not valid YAML: /,
    );
    expect(problemsOf('mode: LIVE\nmode: DRY_RUN\n')).toEqual([
      'line 2, column 1: not valid YAML: Map keys must be unique',
    ]);
  });

  it('empty section → its defaults; a list where a section belongs → error', () => {
    expect(parseConfig('executor:\n  # timeout_ms: 7000\nrest:\n', {}).executor).toEqual(DEFAULT_CONFIG.executor);
    expect(problemsOf('executor: [1, 2]\n')).toEqual(['executor: expected a mapping of keys, got [1, 2]']);
  });

  it('top level not a mapping → error at the top level', () => {
    expect(problemsOf('- BTCUSDT\n')).toEqual(['(top level): expected a mapping of config sections, got [BTCUSDT]']);
  });

  it('mode override → wins over the file', () => {
    expect(parseConfig('mode: DRY_RUN\n', {}, 'x', { mode: 'LIVE' }).mode).toBe('LIVE');
  });
});

describe('secrets', () => {
  it('secret-looking key in the file → error pointing to the environment, value not echoed', () => {
    const problems = problemsOf('exchange:\n  api_key: hunter2hunter2\n  apiSecret: abc\nhealth:\n  token: zzz\n');
    expect(problems).toEqual([
      'exchange.api_key: secrets are never read from the config file; remove this key and set BINANCE_API_KEY in the environment instead',
      'exchange.apiSecret: secrets are never read from the config file; remove this key and set BINANCE_API_SECRET in the environment instead',
      'health.token: secrets are never read from the config file; remove this key and set YUNMIN_CONTROL_TOKEN in the environment instead',
    ]);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('password inside strategy params → still an error', () => {
    expect(problemsOf('trading_engine:\n  strategy:\n    params: { password: x }\n')).toHaveLength(1);
  });

  it('environment secrets → loaded, revealed only explicitly, never printed', () => {
    const config = parseConfig('', { ...KEYS, YUNMIN_CONTROL_TOKEN: 'ctl-token-777' });
    expect(config.secrets.binanceApiKey?.reveal()).toBe(KEYS.BINANCE_API_KEY);
    expect(config.secrets.binanceApiSecret?.reveal()).toBe(KEYS.BINANCE_API_SECRET);
    expect(config.secrets.controlToken?.reveal()).toBe('ctl-token-777');
    const printed = [
      JSON.stringify(config, (_, value: unknown) => (typeof value === 'bigint' ? String(value) : value)),
      inspect(config, { depth: null, showHidden: true }),
      `${config.secrets.binanceApiSecret}`,
      String(config.secrets.controlToken),
      `key=${config.secrets.binanceApiKey}`,
    ].join('\n');
    for (const value of [...Object.values(KEYS), 'ctl-token-777']) expect(printed).not.toContain(value);
    expect(printed).toContain('[redacted]');
  });

  it('empty environment variable → treated as unset', () => {
    expect(parseConfig('', { YUNMIN_CONTROL_TOKEN: '' }).secrets.controlToken).toBeUndefined();
  });

  it('API key without its secret → error naming the missing variable', () => {
    expect(problemsOf('', { BINANCE_API_KEY: 'only-the-key' })).toEqual([
      'BINANCE_API_SECRET: expected in the environment together with BINANCE_API_KEY',
    ]);
  });

  it('LIVE against a real exchange without keys → error; with keys or embedded simulator → accepted', () => {
    const real = 'mode: LIVE\nexchange:\n  embedded_simulator: false\n';
    expect(problemsOf(real).map((problem) => problem.split(':')[0])).toEqual(['BINANCE_API_KEY', 'BINANCE_API_SECRET']);
    expect(problemsOf('exchange:\n  embedded_simulator: false\n', {}, { mode: 'LIVE' })).toHaveLength(2);
    expect(parseConfig(real, KEYS).mode).toBe('LIVE');
    expect(parseConfig('mode: LIVE\n', {}).mode).toBe('LIVE');
    expect(parseConfig('exchange:\n  embedded_simulator: false\n', {}).mode).toBe('DRY_RUN');
  });
});

describe('loadConfig', () => {
  it('file on disk → parsed; error message names the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'yunmin-config-'));
    const path = join(dir, 'config.prod.yaml');
    writeFileSync(path, 'trading_engine:\n  decision_interval_s: 10\n');
    expect(loadConfig(path, {}).tradingEngine.decisionIntervalS).toBe(10);
    writeFileSync(path, 'executor:\n  timeout_ms: fast\n');
    expect(() => loadConfig(path, {})).toThrow(`${path}: 1 problem`);
  });

  it('missing file → CONFIG_UNREADABLE naming the path', () => {
    const path = join(tmpdir(), 'yunmin-no-such-dir', 'config.prod.yaml');
    expect(() => loadConfig(path, {})).toThrow(expect.objectContaining({ code: CONFIG_UNREADABLE }));
    expect(() => loadConfig(path, {})).toThrow(/ENOENT/);
  });
});
