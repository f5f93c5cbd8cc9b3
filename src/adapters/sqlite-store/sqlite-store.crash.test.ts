import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../lib/random.ts';
import { TestClock } from '../../lib/test-clock.ts';
import { CRASH_ORDER_QTY, crashFill, crashOrder } from './crash-writer.ts';
import { SqliteStore } from './sqlite-store.ts';

const WRITER = join(import.meta.dirname, 'crash-writer.ts');
const RUN_TIMEOUT_MS = 15_000;

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'yunmin-crash-'));
});
afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

/**
 * Starts the writer, lets it report `killAfter` saves (plus a short random delay so the kill lands
 * at an arbitrary instruction), SIGKILLs it and returns the highest step it reported.
 */
async function writeUntilKilled(path: string, killAfter: number, extraDelayMs: number): Promise<number> {
  const child = spawn(process.execPath, [WRITER, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let lastReported = -1;
  let killScheduled = false;
  return await new Promise<number>((resolve, reject) => {
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer did not reach ${killAfter} saves in time; stderr: ${stderr}`));
    }, RUN_TIMEOUT_MS);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const lines = stdout.split('\n');
      stdout = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^saved (\d+)$/.exec(line);
        if (match) lastReported = Number(match[1]);
      }
      if (!killScheduled && lastReported >= killAfter) {
        killScheduled = true;
        setTimeout(() => child.kill('SIGKILL'), extraDelayMs);
      }
    });
    child.on('close', (_code, signal) => {
      clearTimeout(deadline);
      if (signal !== 'SIGKILL') reject(new Error(`writer ended without being killed (${signal}); stderr: ${stderr}`));
      else resolve(lastReported);
    });
  });
}

describe('crash durability (writer killed with SIGKILL)', () => {
  const random = createRandom(20_260_101);
  const kills = Array.from({ length: 5 }, (_, run) => ({
    run,
    killAfter: random.integer(5, 4_000),
    extraDelayMs: random.integer(0, 20),
  }));

  it.each(kills)(
    'run $run: killed after $killAfter saves + $extraDelayMs ms → every reported save present, nothing torn',
    async ({ run, killAfter, extraDelayMs }) => {
      const path = join(directory, `crash-${run}.sqlite`);
      const reported = await writeUntilKilled(path, killAfter, extraDelayMs);
      expect(reported).toBeGreaterThanOrEqual(killAfter);

      const store = SqliteStore.open({ path, clock: new TestClock() });
      try {
        expect(store.check()).toMatchObject({ ok: true });
        // Orders are exactly crash-0 … crash-(n−1): no gap, every row decodes and equals what was written.
        const orders = store.recentOrders(Number.MAX_SAFE_INTEGER);
        const count = orders.length;
        expect(count).toBeGreaterThan(reported);
        const fills = store.fills('BTCUSDT');
        let filledCount = 0;
        for (let index = 0; index < count; index += 1) {
          const order = store.getOrder(`crash-${index}`);
          const filled = order?.state === 'FILLED';
          if (filled) filledCount += 1;
          expect(order).toStrictEqual(crashOrder(index, filled ? 'FILLED' : 'PENDING_SUBMIT'));
          // Step i saves order i, then fills order i−1: only the last order, and the one before it
          // when the kill fell between those two writes, may still be pending.
          if (index < count - 2) expect(filled).toBe(true);
          // Every step reported before the kill completed its fill transaction.
          if (index < reported) expect(filled).toBe(true);
        }
        expect(store.getOrder(`crash-${count - 1}`)?.state).toBe('PENDING_SUBMIT');
        // The fill transaction is atomic: fills, events and the position agree with the FILLED orders.
        expect(store.activeOrders()).toHaveLength(count - filledCount);
        expect(fills).toStrictEqual(Array.from({ length: filledCount }, (_, index) => crashFill(index)));
        expect(store.events({ types: ['OrderFilled'] }).map((event) => event.payload.index)).toEqual(
          Array.from({ length: filledCount }, (_, index) => index),
        );
        const positions = store.positions();
        if (filledCount > 0) expect(positions[0]?.amount).toBe(CRASH_ORDER_QTY * BigInt(filledCount));
      } finally {
        store.close();
      }
    },
    30_000,
  );
});
