import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../lib/test-clock.ts';
import { SqliteStore } from './sqlite-store.ts';

describe('WAL checkpoints off the order path', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('autoCheckpoint false → the WAL keeps growing past 1000 pages until checkpoint() moves it into the database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'yunmin-ckpt-'));
    dirs.push(dir);
    const path = join(dir, 'state.sqlite');
    const clock = new TestClock();
    const store = SqliteStore.open({ path, clock, autoCheckpoint: false });
    const payload = { text: 'x'.repeat(3000) };
    for (let i = 0; i < 2000; i += 1) store.appendEvent({ type: 'Filler', at: clock.now(), payload });
    // Without auto-checkpointing nothing has been copied into the main file yet.
    const before = statSync(path).size;
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(1000 * 4096);
    store.checkpoint();
    expect(statSync(path).size).toBeGreaterThan(before + 2000 * 3000);
    store.close();
    const reader = new DatabaseSync(path);
    expect(reader.prepare('SELECT count(*) AS n FROM event_log').get()?.n).toBe(2000);
    reader.close();
  });
});
