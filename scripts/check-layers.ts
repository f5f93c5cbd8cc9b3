// Fails when a source file breaks the layer arrows or reads ambient time (see src/lint/layer-rules.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkFile } from '../src/lint/layer-rules.ts';

const root = join(import.meta.dirname, '..');

function* sourceFiles(directory: string): Generator<string> {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

let count = 0;
const violations = [];
for (const path of sourceFiles(join(root, 'src'))) {
  count += 1;
  violations.push(...checkFile(relative(root, path).replaceAll('\\', '/'), readFileSync(path, 'utf8')));
}
for (const violation of violations) console.error(`${violation.file}:${violation.line}: ${violation.message}`);
if (violations.length > 0) {
  console.error(`layers: ${violations.length} violation(s) in ${count} files`);
  process.exit(1);
}
console.log(`layers: ${count} files, no violations`);
