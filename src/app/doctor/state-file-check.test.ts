import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION } from '../../adapters/sqlite-store/migrations.ts';
import { SqliteStore } from '../../adapters/sqlite-store/sqlite-store.ts';
import { TestClock } from '../../lib/test-clock.ts';
import { checkStateFile } from './state-file-check.ts';

describe('checkStateFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'yunmin-state-check-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('no file yet → warn, not fail', () => {
    expect(checkStateFile(join(dir, 'yunmin.sqlite'))).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('does not exist'),
    });
  });

  it('a store the engine wrote → pass with the current schema version', () => {
    const path = join(dir, 'yunmin.sqlite');
    SqliteStore.open({ path, clock: new TestClock(0) }).close();
    expect(checkStateFile(path)).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining(`schema version ${LATEST_SCHEMA_VERSION} (current)`),
    });
  });

  it('a corrupt file (not a database) → fail', () => {
    const path = join(dir, 'yunmin.sqlite');
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    expect(checkStateFile(path)).toMatchObject({ status: 'fail', detail: expect.stringContaining('cannot be read') });
  });

  it('a store with damaged pages → fail from integrity_check', () => {
    const path = join(dir, 'yunmin.sqlite');
    const db = new DatabaseSync(path);
    db.exec('PRAGMA page_size = 4096; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t (v);');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    db.exec('BEGIN');
    for (let i = 0; i < 2000; i += 1) insert.run(`value-${i}-${'x'.repeat(40)}`);
    db.exec('COMMIT');
    db.close();
    // Overwrite a page in the middle of the file: the header stays valid, the b-tree does not.
    const bytes = Buffer.from(readFileSync(path));
    bytes.fill(0x00, 4096 * 5 + 100, 4096 * 5 + 3000);
    writeFileSync(path, bytes);
    expect(checkStateFile(path).status).toBe('fail');
  });

  it('a schema newer than this yunmin → fail; an older one → warn', () => {
    const path = join(dir, 'yunmin.sqlite');
    SqliteStore.open({ path, clock: new TestClock(0) }).close();
    const db = new DatabaseSync(path);
    db.prepare('INSERT INTO schema_version VALUES (?, ?, ?)').run(LATEST_SCHEMA_VERSION + 1, 'from the future', 1);
    db.close();
    expect(checkStateFile(path)).toMatchObject({ status: 'fail', detail: expect.stringContaining('newer') });
    const older = new DatabaseSync(path);
    older.exec(`DELETE FROM schema_version WHERE version >= ${LATEST_SCHEMA_VERSION}`);
    older.close();
    expect(checkStateFile(path).status).toBe('warn');
  });
});
