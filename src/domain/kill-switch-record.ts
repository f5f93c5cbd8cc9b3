/** The persisted kill switch (DESIGN "Kill switch"): written before it acts, so a restart comes back halted. */
export type KillSwitchRecord =
  | { readonly state: 'ARMED'; readonly releasedAt?: number; readonly releasedBy?: string; readonly forced?: boolean }
  | { readonly state: 'TRIPPED'; readonly reason: string; readonly at: number; readonly by: string };
