import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { DRILL_SCENARIOS } from '../../src/app/drill/drill-scenarios.ts';
import { createProgram } from '../../src/cli/main.ts';

const RUNBOOK = join(import.meta.dirname, '..', '..', 'docs', 'runbook.md');

/** Every `yunmin …` snippet in the Markdown (inline code spans and fenced blocks), `\|` unescaped. */
function yunminSnippets(markdown: string): string[] {
  const fenced = [...markdown.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].flatMap((m) => (m[1] ?? '').split('\n'));
  const inline = [...markdown.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1] ?? '');
  return [...fenced, ...inline]
    .map((text) => text.replaceAll('\\|', '|').trim())
    .filter((text) => /^yunmin\s/.test(text));
}

function tokens(snippet: string): string[] {
  return [...snippet.matchAll(/'[^']*'|"[^"]*"|\S+/g)].map((m) => m[0]);
}

/** What a snippet names that the program does not have: a command, a subcommand, an option, a drill. */
function snippetProblems(snippet: string, program: Command): string[] {
  const words = tokens(snippet).slice(1);
  let command = program;
  let index = 0;
  for (; index < words.length; index += 1) {
    const sub = command.commands.find((candidate) => candidate.name() === words[index]);
    if (sub === undefined) break;
    command = sub;
  }
  if (command === program) return [`${snippet}: no command "${words[0]}"`];
  const problems: string[] = [];
  if (command.commands.length > 0 && index === words.length)
    problems.push(
      `${snippet}: "${command.name()}" needs a subcommand (${command.commands.map((c) => c.name()).join(', ')})`,
    );
  const longs = new Set(command.options.map((option) => option.long));
  for (const word of words.slice(index)) {
    if (!word.startsWith('--')) continue;
    const long = word.split('=')[0] ?? word;
    if (!longs.has(long)) problems.push(`${snippet}: "${command.name()}" has no option ${long}`);
  }
  if (command.name() === 'drill') {
    const scenario = words[index];
    if (scenario !== 'all' && !DRILL_SCENARIOS.some((s) => s.name === scenario))
      problems.push(`${snippet}: no drill scenario "${scenario}"`);
  }
  return problems;
}

// Issue 7 point 4: docs/runbook.md maps each playbook step to a command; this keeps it from drifting.
describe('docs/runbook.md against the CLI', () => {
  const markdown = readFileSync(RUNBOOK, 'utf8');
  const program = createProgram();

  it('every `yunmin …` in the runbook → an existing command, subcommand and options', () => {
    const snippets = yunminSnippets(markdown);
    expect(snippets.length).toBeGreaterThan(60);
    expect(snippets.flatMap((snippet) => snippetProblems(snippet, program))).toEqual([]);
  });

  it('a command, subcommand, option or drill that does not exist → reported (the check can fail)', () => {
    expect(snippetProblems('yunmin frobnicate', program)).toHaveLength(1);
    expect(snippetProblems('yunmin ws', program)[0]).toContain('needs a subcommand');
    expect(snippetProblems('yunmin orders --stale', program)[0]).toContain('no option --stale');
    expect(snippetProblems('yunmin kill-switch trigger --why x', program)[0]).toContain('no option --why');
    expect(snippetProblems('yunmin drill ws-stale', program)[0]).toContain('no drill scenario');
    expect(yunminSnippets("text `yunmin logs --grep 'a\\|b'` and `ls`")).toEqual(["yunmin logs --grep 'a|b'"]);
  });

  it("the issue's runbook commands and the playbook sections → all present", () => {
    for (const command of [
      'positions',
      'account',
      'orders --stuck',
      'cancel',
      'close',
      'flatten',
      'trades',
      'latency --watch',
      'ws reconnect --force',
      'reconcile',
      'reconcile --adopt-exchange',
      'kill-switch status',
      'kill-switch release',
      'resume',
      'incidents',
      'ack',
      'postmortem',
      'logs --grep',
      'doctor',
    ])
      expect(markdown, command).toContain(`\`yunmin ${command}`);
    for (const section of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      expect(markdown).toMatch(new RegExp(`^## ${section}\\. `, 'm'));
  });
});
