import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, parseDocument } from 'yaml';
import { CONFIG_KEY_DOCS, describeConfig, describeConfigMarkdown } from './config-docs.ts';
import { configKeyPaths, DEFAULT_CONFIG } from './default-config.ts';
import { parseConfig } from './load-config.ts';

const EXAMPLE_PATH = new URL('../../../config.example.yaml', import.meta.url);
const exampleText = readFileSync(EXAMPLE_PATH, 'utf8');

/** Leaf key paths of the example file, each with the comment written above it. */
function exampleKeys(): Map<string, string> {
  const keys = new Map<string, string>();
  const walk = (node: unknown, prefix: string): void => {
    if (!isMap(node)) return;
    node.items.forEach((pair, index) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const path = prefix === '' ? key : `${prefix}.${key}`;
      // A map's first key carries its comment on the map itself.
      const comment =
        (isScalar(pair.key) ? pair.key.commentBefore : undefined) ?? (index === 0 ? node.commentBefore : undefined);
      if (isMap(pair.value) && path !== 'trading_engine.strategy.params') walk(pair.value, path);
      else keys.set(path, comment ?? '');
    });
  };
  const document = parseDocument(exampleText);
  walk(document.contents, '');
  const first = [...keys.keys()][0];
  if (first !== undefined && keys.get(first) === '') keys.set(first, document.commentBefore ?? '');
  return keys;
}

describe('config.example.yaml', () => {
  it('parsed → equals the defaults', () => {
    expect(parseConfig(exampleText, {}, 'config.example.yaml')).toEqual(DEFAULT_CONFIG);
  });

  it('lists exactly the schema keys, each with a comment above it', () => {
    const keys = exampleKeys();
    expect([...keys.keys()]).toEqual(configKeyPaths());
    for (const [path, comment] of keys) expect(comment.trim(), path).not.toBe('');
  });
});

describe('describeConfig', () => {
  it('docs table → one entry per schema key, no extra', () => {
    expect(Object.keys(CONFIG_KEY_DOCS).sort()).toEqual(configKeyPaths().sort());
  });

  it('every file key → present in the camelCase config (no key dropped by the mapping)', () => {
    const camel = (key: string): string => key.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
    for (const path of configKeyPaths()) {
      let node: unknown = DEFAULT_CONFIG;
      for (const segment of path.split('.').map(camel)) {
        expect(node, path).toHaveProperty([segment]);
        node = (node as Record<string, unknown>)[segment];
      }
    }
  });

  it('entries → key path, YAML default and meaning', () => {
    const entries = describeConfig();
    expect(entries.find((entry) => entry.path === 'executor.timeout_ms')).toEqual({
      path: 'executor.timeout_ms',
      defaultValue: '5000',
      description: CONFIG_KEY_DOCS['executor.timeout_ms'],
    });
    expect(entries.find((entry) => entry.path === 'trading_engine.symbols')?.defaultValue).toBe('[BTCUSDT, ETHUSDT]');
    expect(describeConfigMarkdown().split('\n')).toHaveLength(entries.length + 2);
  });
});
