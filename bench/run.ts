// `npm run bench`: runs every benchmark in bench/*.bench.ts and writes bench/results/results.{json,md}.
// Figures are rates with a baseline measured in the same run; compare ratios, not absolute numbers.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Benchmark, BenchResult } from './bench-result.ts';

const directory = import.meta.dirname;
const only = process.argv[2];
const files = readdirSync(directory)
  .filter((file) => file.endsWith('.bench.ts') && (only === undefined || file.includes(only)))
  .sort();
const results: BenchResult[] = [];
for (const file of files) {
  const module = (await import(join(directory, file))) as { benchmark: Benchmark };
  process.stderr.write(`bench: ${module.benchmark.name} …\n`);
  const started = performance.now();
  const figures = await module.benchmark.run();
  process.stderr.write(
    `bench: ${module.benchmark.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  results.push(...figures);
}

const machine = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length };
const outDirectory = join(directory, 'results');
mkdirSync(outDirectory, { recursive: true });
writeFileSync(join(outDirectory, 'results.json'), `${JSON.stringify({ machine, results }, null, 2)}\n`);
const format = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
const table = [
  '| benchmark | value | baseline (same run) | ratio | notes |',
  '|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${r.name} | ${format(r.value)} ${r.unit} | ${r.baselineName}: ${format(r.baselineValue)} ${r.unit} | ${r.ratio.toFixed(3)} | ${r.notes} |`,
  ),
];
const markdown = `# Benchmarks\n\nNode ${machine.node}, ${machine.cores} × ${machine.cpu}.\n\n${table.join('\n')}\n`;
writeFileSync(join(outDirectory, 'results.md'), markdown);
process.stdout.write(markdown);
process.exit(0);
