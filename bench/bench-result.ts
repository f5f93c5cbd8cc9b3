/** One benchmark's figures: a measured rate and the baseline it is compared with in the same run. */
export interface BenchResult {
  readonly name: string;
  readonly unit: string;
  readonly value: number;
  readonly baselineName: string;
  readonly baselineValue: number;
  /** value / baselineValue. */
  readonly ratio: number;
  readonly notes: string;
}

export interface Benchmark {
  readonly name: string;
  run(): Promise<readonly BenchResult[]>;
}

export function result(fields: Omit<BenchResult, 'ratio'>): BenchResult {
  return { ...fields, ratio: fields.baselineValue === 0 ? 0 : fields.value / fields.baselineValue };
}
