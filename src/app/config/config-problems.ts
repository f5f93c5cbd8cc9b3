import type { z } from 'zod';
import type { ConfigProblem } from './config-invalid-error.ts';
import type { ConfigFile } from './config-schema.ts';
import { knownKeysAt } from './default-config.ts';
import { suggestKey } from './did-you-mean.ts';
import { type EngineSecrets, SECRET_ENVIRONMENT_VARIABLES } from './engine-config.ts';

type PathSegment = PropertyKey;

/** `['trading_engine', 'symbols', 1]` → `trading_engine.symbols[1]`. */
export function formatKeyPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

const SECRET_WORDS = new Set(['secret', 'password', 'passwd', 'passphrase', 'token', 'apikey', 'credential']);

/** api_key, apiSecret, token, password, private_key… anything that would put a secret on disk. */
export function isSecretLookingKey(key: string): boolean {
  // `token_env: YUNMIN_TELEGRAM_TOKEN` names the environment variable that holds the secret; the
  // alert-channel schema accepts only variable-shaped values there, so a pasted token still fails.
  if (/_env$/i.test(key)) return false;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  if (words.some((word) => SECRET_WORDS.has(word))) return true;
  return words.includes('key') && (words.includes('api') || words.includes('private'));
}

function environmentVariableFor(key: string): string {
  const lower = key.toLowerCase();
  if (lower.includes('secret')) return SECRET_ENVIRONMENT_VARIABLES.binanceApiSecret;
  if (lower.includes('key')) return SECRET_ENVIRONMENT_VARIABLES.binanceApiKey;
  if (lower.includes('token')) return SECRET_ENVIRONMENT_VARIABLES.controlToken;
  return 'the matching environment variable';
}

/**
 * Secret-looking keys anywhere in the file, strategy params included. The value is never echoed:
 * the point is to get it out of the file, not into an error message or a log.
 */
export function findSecretKeys(raw: unknown, path: readonly PathSegment[] = []): ConfigProblem[] {
  if (typeof raw !== 'object' || raw === null) return [];
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const childPath = Array.isArray(raw) ? [...path, Number(key)] : [...path, key];
    if (!Array.isArray(raw) && isSecretLookingKey(key)) {
      problems.push({
        path: formatKeyPath(childPath),
        message: `secrets are never read from the config file; remove this key and set ${environmentVariableFor(key)} in the environment instead`,
      });
      continue;
    }
    problems.push(...findSecretKeys(value, childPath));
  }
  return problems;
}

/** How a wrong input reads after "got": strings quoted, containers by kind, long text cut. */
export function renderInput(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'an empty value';
  if (typeof input === 'string') return JSON.stringify(input.length > 60 ? `${input.slice(0, 57)}...` : input);
  if (Array.isArray(input)) {
    const scalars = input.every((item) => typeof item !== 'object' || item === null);
    const text = scalars ? `[${input.map((item) => String(item)).join(', ')}]` : 'a list';
    return text.length > 80 ? 'a list' : text;
  }
  if (typeof input === 'object') return 'a mapping';
  return String(input);
}

/** zod issues → one problem per wrong key, unknown keys with a did-you-mean. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], secretPaths: ReadonlySet<string>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = formatKeyPath([...issue.path, key]);
        if (!secretPaths.has(path)) problems.push({ path, message: unknownKeyMessage(key, issue.path) });
      }
      continue;
    }
    const path = formatKeyPath(issue.path);
    const message = issue.message.startsWith('expected ')
      ? `${issue.message}, got ${renderInput(issue.input)}`
      : issue.message;
    problems.push({ path, message });
  }
  return problems;
}

function unknownKeyMessage(key: string, sectionPath: readonly PathSegment[]): string {
  const known = knownKeysAt(sectionPath.map((segment) => (typeof segment === 'symbol' ? '' : segment))) ?? [];
  const suggestion = suggestKey(key, known);
  if (suggestion !== undefined) return `unknown key (did you mean ${suggestion}?)`;
  return `unknown key (expected one of: ${known.join(', ')})`;
}

/** Rules between keys; run only once every key has the right type. */
export function crossFieldProblems(file: ConfigFile): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const require = (ok: boolean, path: string, message: string): void => {
    if (!ok) problems.push({ path, message });
  };
  const { websocket, reconciliation, latency, executor, trading_engine, flash_crash } = file;
  require(websocket.stale_warn_s <
    websocket.stale_kill_s, 'websocket.stale_warn_s', `expected less than websocket.stale_kill_s (${websocket.stale_kill_s}), got ${websocket.stale_warn_s}`);
  require(reconciliation.adopt_below_pct <=
    reconciliation.halt_above_pct, 'reconciliation.adopt_below_pct', `expected at most reconciliation.halt_above_pct (${reconciliation.halt_above_pct}), got ${reconciliation.adopt_below_pct}`);
  require(latency.mitigation.raised_timeout_ms >=
    executor.timeout_ms, 'latency.mitigation.raised_timeout_ms', `expected at least executor.timeout_ms (${executor.timeout_ms}), got ${latency.mitigation.raised_timeout_ms}`);
  require(latency.mitigation.raised_decision_interval_s >=
    trading_engine.decision_interval_s, 'latency.mitigation.raised_decision_interval_s', `expected at least trading_engine.decision_interval_s (${trading_engine.decision_interval_s}), got ${latency.mitigation.raised_decision_interval_s}`);
  require(flash_crash.resume_max_move_pct <
    flash_crash.move_pct, 'flash_crash.resume_max_move_pct', `expected less than flash_crash.move_pct (${flash_crash.move_pct}), got ${flash_crash.resume_max_move_pct}`);
  return problems;
}

/** Exchange credentials come in pairs, and LIVE against a real exchange needs them. */
export function secretEnvironmentProblems(file: ConfigFile, secrets: EngineSecrets): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { binanceApiKey: keyName, binanceApiSecret: secretName } = SECRET_ENVIRONMENT_VARIABLES;
  const hasKey = secrets.binanceApiKey !== undefined;
  const hasSecret = secrets.binanceApiSecret !== undefined;
  if (hasKey && !hasSecret) {
    problems.push({ path: secretName, message: `expected in the environment together with ${keyName}` });
  } else if (hasSecret && !hasKey) {
    problems.push({ path: keyName, message: `expected in the environment together with ${secretName}` });
  } else if (!hasKey && file.mode === 'LIVE' && !file.exchange.embedded_simulator) {
    for (const name of [keyName, secretName]) {
      problems.push({
        path: name,
        message:
          'expected in the environment: mode LIVE against a real exchange (exchange.embedded_simulator: false) signs requests',
      });
    }
  }
  return problems;
}
