import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { YunminError } from '../../lib/yunmin-error.ts';
import { CONFIG_UNREADABLE, ConfigInvalidError, type ConfigProblem } from './config-invalid-error.ts';
import { crossFieldProblems, describeIssues, findSecretKeys, secretEnvironmentProblems } from './config-problems.ts';
import { CONFIG_FILE_SCHEMA, type EngineMode } from './config-schema.ts';
import {
  type EngineConfig,
  type EngineSecrets,
  SECRET_ENVIRONMENT_VARIABLES,
  type SecretName,
  toEngineConfig,
} from './engine-config.ts';
import { Secret } from './secret.ts';

export type ConfigEnvironment = Readonly<Record<string, string | undefined>>;

export interface ConfigOverrides {
  /** `--mode` on the command line wins over the file's `mode` (playbook: `--mode LIVE --config …`). */
  readonly mode?: EngineMode;
}

/**
 * Reads and validates a YAML config file. Throws `ConfigInvalidError` (code CONFIG_INVALID) listing
 * every problem with its key path, or a YunminError CONFIG_UNREADABLE when the file cannot be read.
 */
export function loadConfig(path: string, env: ConfigEnvironment, overrides: ConfigOverrides = {}): EngineConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new YunminError(CONFIG_UNREADABLE, `cannot read config file ${path} (${code})`, { cause: error });
  }
  return parseConfig(text, env, path, overrides);
}

/** Validates config text; `sourceName` names it in errors (a file path, "config.prod.yaml"). */
export function parseConfig(
  text: string,
  env: ConfigEnvironment,
  sourceName = 'config',
  overrides: ConfigOverrides = {},
): EngineConfig {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    // Without a tree there is nothing to validate key by key; report every syntax error.
    const problems = document.errors.map((error) => {
      const position = error.linePos?.[0];
      const where = position === undefined ? 'YAML' : `line ${position.line}, column ${position.col}`;
      const summary = (error.message.split('\n')[0] ?? error.code).replace(/ at line \d+, column \d+:?$/, '');
      return { path: where, message: `not valid YAML: ${summary}` };
    });
    throw new ConfigInvalidError(sourceName, problems);
  }
  const parsed: unknown = document.toJS() ?? {};
  const raw = withOverrides(parsed, overrides);

  const secretKeyProblems = findSecretKeys(raw);
  const secretPaths = new Set(secretKeyProblems.map((problem) => problem.path));
  const result = CONFIG_FILE_SCHEMA.safeParse(raw, { reportInput: true });
  const problems: ConfigProblem[] = [...secretKeyProblems];
  if (!result.success) {
    problems.push(...describeIssues(result.error.issues, secretPaths));
    throw new ConfigInvalidError(sourceName, problems);
  }
  const secrets = readSecrets(env);
  problems.push(...crossFieldProblems(result.data), ...secretEnvironmentProblems(result.data, secrets));
  if (problems.length > 0) throw new ConfigInvalidError(sourceName, problems);
  return toEngineConfig(result.data, secrets);
}

function withOverrides(raw: unknown, overrides: ConfigOverrides): unknown {
  if (overrides.mode === undefined) return raw;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  return { ...raw, mode: overrides.mode };
}

/** Secrets come only from the environment; an empty variable counts as unset. */
export function readSecrets(env: ConfigEnvironment): EngineSecrets {
  const secrets: { [name in SecretName]?: Secret } = {};
  for (const [name, variable] of Object.entries(SECRET_ENVIRONMENT_VARIABLES) as [SecretName, string][]) {
    const value = env[variable];
    if (value !== undefined && value !== '') secrets[name] = new Secret(value);
  }
  return secrets;
}
