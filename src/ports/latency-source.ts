/** Rolling latency percentiles (playbook §3): REST round trips and WS event delays. */
export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface LatencySource {
  /** REST round trips over the rolling window, all endpoints or one class ("order", "account", "market"). */
  rest(endpointClass?: string): LatencySummary;
  /** WS delay (receive time − event time, corrected by the server-time offset), all streams or one. */
  ws(stream?: string): LatencySummary;
}
