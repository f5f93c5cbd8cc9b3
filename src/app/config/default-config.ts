import { CONFIG_FILE_SCHEMA, type ConfigFile } from './config-schema.ts';
import { type EngineConfig, toEngineConfig } from './engine-config.ts';

/** The file an empty config means: every key at the playbook's default. */
export const DEFAULT_CONFIG_FILE: ConfigFile = CONFIG_FILE_SCHEMA.parse({});

/** Defaults as code sees them (no secrets: those come only from the environment). */
export const DEFAULT_CONFIG: EngineConfig = toEngineConfig(DEFAULT_CONFIG_FILE, {});

/**
 * Leaf key paths of the file (`executor.timeout_ms`), in file order. Lists and the free-form
 * `trading_engine.strategy.params` map are leaves.
 */
export function configKeyPaths(): string[] {
  const paths: string[] = [];
  const walk = (value: unknown, prefix: string): void => {
    const isSection = typeof value === 'object' && value !== null && !Array.isArray(value) && prefix !== FREE_FORM_PATH;
    if (!isSection) {
      paths.push(prefix);
      return;
    }
    for (const [key, child] of Object.entries(value)) walk(child, prefix === '' ? key : `${prefix}.${key}`);
  };
  walk(DEFAULT_CONFIG_FILE, '');
  return paths;
}

export const FREE_FORM_PATH = 'trading_engine.strategy.params';

/** The keys allowed in the section at `path` ([] of segments), or undefined when it is not a section. */
export function knownKeysAt(path: readonly (string | number)[]): string[] | undefined {
  let node: unknown = DEFAULT_CONFIG_FILE;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[String(segment)];
  }
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
  return Object.keys(node);
}
