import { YunminError } from '../../lib/yunmin-error.ts';

/** One thing wrong with a config: the key path (`executor.timeout_ms`) and what was expected. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

export const CONFIG_INVALID = 'CONFIG_INVALID';
export const CONFIG_UNREADABLE = 'CONFIG_UNREADABLE';

/**
 * Every problem of a config at once (not only the first), so one edit fixes them all.
 * Callers key on `code === CONFIG_INVALID`; `problems` is for people and tests.
 */
export class ConfigInvalidError extends YunminError {
  readonly problems: readonly ConfigProblem[];
  readonly source: string;

  constructor(source: string, problems: readonly ConfigProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    const lines = problems.map((problem) => `  ${formatConfigProblem(problem)}`);
    super(CONFIG_INVALID, `${source}: ${count}\n${lines.join('\n')}`);
    this.name = 'ConfigInvalidError';
    this.problems = problems;
    this.source = source;
  }
}

export function formatConfigProblem(problem: ConfigProblem): string {
  return `${problem.path === '' ? '(top level)' : problem.path}: ${problem.message}`;
}
