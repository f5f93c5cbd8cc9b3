import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { LATEST_SCHEMA_VERSION, readSchemaVersion } from '../../adapters/sqlite-store/migrations.ts';
import { type CheckResult, errorText } from './doctor-check.ts';

/**
 * The engine's SQLite store, opened read-only (WAL lets it sit beside a running engine): `PRAGMA
 * integrity_check` and the migration version. No file yet is a warn (a first start creates it); a
 * corrupt file, or one written by a newer yunmin, is a fail: the engine would refuse to start on it.
 */
export function checkStateFile(path: string): CheckResult {
  const name = 'state file';
  if (!existsSync(path))
    return { name, status: 'warn', detail: `${path} does not exist yet (created on the first start)` };
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    const rows = db.prepare('PRAGMA integrity_check').all() as { integrity_check?: unknown }[];
    const problems = rows.map((row) => String(row.integrity_check)).filter((text) => text !== 'ok');
    if (problems.length > 0)
      return {
        name,
        status: 'fail',
        detail: `${path}: integrity_check: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (+${problems.length - 3} more)` : ''}`,
      };
    const version = readSchemaVersion(db);
    if (version > LATEST_SCHEMA_VERSION)
      return {
        name,
        status: 'fail',
        detail: `${path}: schema version ${version}, newer than this yunmin (${LATEST_SCHEMA_VERSION}); upgrade yunmin, do not delete the state`,
      };
    if (version < LATEST_SCHEMA_VERSION)
      return {
        name,
        status: 'warn',
        detail: `${path}: integrity ok, schema version ${version} of ${LATEST_SCHEMA_VERSION} (migrated on the next start)`,
      };
    return { name, status: 'pass', detail: `${path}: integrity ok, schema version ${version} (current)` };
  } catch (error) {
    return { name, status: 'fail', detail: `${path}: cannot be read as a SQLite store: ${errorText(error)}` };
  } finally {
    db?.close();
  }
}
