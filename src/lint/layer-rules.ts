/**
 * The layer arrows of DESIGN.md ("Shape of the code"), checked on every `npm run lint` and in the
 * test suite. Arrows point down: a layer may import only the layers listed for it.
 *
 *   cli → app → server → adapters → engine → ports → domain → lib
 *   sim → lib only (the simulator is a separate program sharing generic utilities)
 */
export const LAYERS = ['lib', 'domain', 'ports', 'engine', 'adapters', 'server', 'app', 'cli', 'sim', 'lint'] as const;
export type Layer = (typeof LAYERS)[number];

export const ALLOWED_IMPORTS: Readonly<Record<Layer, readonly Layer[]>> = {
  lib: [],
  domain: ['lib'],
  ports: ['domain', 'lib'],
  engine: ['ports', 'domain', 'lib'],
  adapters: ['engine', 'ports', 'domain', 'lib'],
  server: ['engine', 'ports', 'domain', 'lib'],
  app: ['server', 'adapters', 'engine', 'ports', 'domain', 'lib', 'sim'],
  cli: ['app', 'server', 'adapters', 'engine', 'ports', 'domain', 'lib', 'sim'],
  sim: ['lib'],
  lint: [],
};

/** Node built-ins that perform I/O: the pure layers must not touch them. */
const IO_MODULES = /^node:(fs|net|http|https|http2|dgram|child_process|worker_threads|sqlite|dns|tls|cluster)(\/|$)/;
const PURE_LAYERS: ReadonlySet<Layer> = new Set(['domain', 'ports']);

/** Ambient time and randomness: only the files that implement the Clock port (or tests) may use them. */
const AMBIENT_PATTERNS: readonly { name: string; pattern: RegExp; why: string }[] = [
  { name: 'Date.now()', pattern: /\bDate\.now\s*\(/, why: 'read time from the Clock port' },
  { name: 'new Date()', pattern: /\bnew Date\(\s*\)/, why: 'read time from the Clock port' },
  {
    name: 'Math.random()',
    pattern: /\bMath\.random\s*\(/,
    why: 'use a seeded Random from src/lib/random.ts, or node:crypto for ids',
  },
  { name: 'performance.now()', pattern: /\bperformance\.now\s*\(/, why: 'read time from the Clock port' },
];
// The clock implementations, and this file, which names the patterns it looks for.
const AMBIENT_ALLOWED = new Set(['src/lib/system-clock.ts', 'src/lib/test-clock.ts', 'src/lint/layer-rules.ts']);

export interface LayerViolation {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export function layerOf(file: string): Layer | undefined {
  const match = /^src\/([^/]+)\//.exec(file);
  const name = match?.[1];
  return LAYERS.find((layer) => layer === name);
}

const IMPORT_PATTERN = /(?:^|\s)(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Checks one source file; `file` is relative to the project root, with forward slashes. */
export function checkFile(file: string, source: string): LayerViolation[] {
  const violations: LayerViolation[] = [];
  const layer = layerOf(file);
  if (layer === undefined) return violations;
  const isTest = file.endsWith('.test.ts');
  const lines = source.split('\n');
  lines.forEach((text, index) => {
    const lineNumber = index + 1;
    for (const match of text.matchAll(IMPORT_PATTERN)) {
      const specifier = match[1] ?? match[2] ?? '';
      if (PURE_LAYERS.has(layer) && IO_MODULES.test(specifier)) {
        violations.push({ file, line: lineNumber, message: `${layer} is pure and must not import ${specifier}` });
      }
      if (!specifier.startsWith('.')) continue;
      const target = resolveRelative(file, specifier);
      const targetLayer = layerOf(target);
      if (targetLayer === undefined || targetLayer === layer) continue;
      if (isTest && targetLayer !== 'lint') continue; // tests may wire real parts from any layer
      if (!ALLOWED_IMPORTS[layer].includes(targetLayer)) {
        violations.push({
          file,
          line: lineNumber,
          message: `${layer} must not import ${targetLayer} (${specifier}); allowed: ${ALLOWED_IMPORTS[layer].join(', ') || 'nothing'}`,
        });
      }
    }
    if (!isTest && !AMBIENT_ALLOWED.has(file)) {
      const code = text.replace(/\/\/.*$/, '');
      for (const { name, pattern, why } of AMBIENT_PATTERNS) {
        if (pattern.test(code)) {
          violations.push({ file, line: lineNumber, message: `ambient ${name}: ${why}` });
        }
      }
    }
  });
  return violations;
}

function resolveRelative(file: string, specifier: string): string {
  const parts = file.split('/').slice(0, -1);
  for (const segment of specifier.split('/')) {
    if (segment === '.' || segment === '') continue;
    if (segment === '..') parts.pop();
    else parts.push(segment);
  }
  return parts.join('/');
}
