import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { RunningSimulator } from '../../src/sim/simulator.ts';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'yunmin.js');

/** Writes a LIVE config that points the engine at an already running simulator. */
export function writeEngineConfig(
  dir: string,
  name: string,
  sim: RunningSimulator,
  strategy: string,
  extra: string = '',
): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `mode: LIVE
exchange:
  embedded_simulator: false
  rest_endpoints: [${sim.urls.rest}]
  ws_endpoint: ${sim.urls.ws}
state_dir: ${join(dir, 'state')}
logs_dir: ${join(dir, 'logs')}
health:
  port: 0
sync_interval_s: 1
risk_manager:
  initial_capital: 10000
executor:
  max_position_pct: 0.05
trading_engine:
  decision_interval_s: 0.2
  symbols: [BTCUSDT, ETHUSDT]
${strategy}
${extra}`,
  );
  return path;
}

export interface EngineProcess {
  readonly child: ChildProcess;
  readonly output: string[];
  /** Resolves when the engine prints its "running" line. */
  readonly ready: Promise<void>;
}

/** Starts `yunmin engine` as a real process with the simulator's credentials in its environment. */
export function spawnEngine(configPath: string, sim: RunningSimulator): EngineProcess {
  const child = spawn(process.execPath, [bin, 'engine', '--config', configPath], {
    env: { ...process.env, BINANCE_API_KEY: sim.apiKey, BINANCE_API_SECRET: sim.apiSecret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) =>
    output.push(`stderr: ${line}`),
  );
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`engine not ready within 20 s:\n${output.join('\n')}`)), 20_000);
    lines.on('line', (line) => {
      output.push(line);
      if (line.includes('running; health')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`engine exited with ${code} before it was ready:\n${output.join('\n')}`));
    });
  });
  ready.catch(() => undefined);
  return { child, output, ready };
}

export async function killHard(engine: EngineProcess): Promise<void> {
  if (engine.child.exitCode !== null) return;
  const exited = once(engine.child, 'exit');
  engine.child.kill('SIGKILL');
  await exited;
}
