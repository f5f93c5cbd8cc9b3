import type { EngineConfig } from '../app/config/engine-config.ts';
import { storePath } from '../app/engine-app.ts';
import { readRuntimeInfo } from '../app/runtime-info.ts';

/**
 * Whether the engine running in this state_dir owns the store of `config`. A DRY_RUN engine (the
 * resumption gate's hour on paper) runs beside a stopped LIVE one: commands about the LIVE store
 * (release, approval) must then act on that store, not ask the DRY_RUN engine.
 */
export function engineOwnsStore(config: EngineConfig): boolean {
  const runtime = readRuntimeInfo(config.stateDir);
  if (runtime === undefined) return false;
  return storePath({ ...config, mode: runtime.mode }) === storePath(config);
}
