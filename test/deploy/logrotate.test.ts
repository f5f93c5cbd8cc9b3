import { copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RotatingFile } from '../../src/adapters/logging/rotating-file.ts';
import { readDeployFile } from './deploy-files.ts';

const config = readDeployFile('logrotate', 'yunmin');
/** The directives of the one block, comments dropped. */
const block = /^(\S[^{\n]*)\{([^}]*)\}/m.exec(config.replace(/^\s*#.*$/gm, ''));
const paths = block?.[1]?.trim().split(/\s+/) ?? [];
const directives = (block?.[2] ?? '')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '');

describe('deploy/logrotate/yunmin', () => {
  it("covers the logs directory the unit makes writable: *.log and *.jsonl, not the engine's numbered files", () => {
    const unit = readDeployFile('systemd', 'yunmin.service');
    expect(unit).toContain('/opt/yunmin/logs');
    expect(paths).toEqual(['/opt/yunmin/logs/*.log', '/opt/yunmin/logs/*.jsonl']);
    const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace('*', '[^/]*')}$`);
    const matches = (file: string) => paths.some((pattern) => glob(pattern).test(`/opt/yunmin/logs/${file}`));
    expect(matches('trading.log')).toBe(true);
    expect(matches('trading.jsonl')).toBe(true);
    expect(matches('trading.log.1')).toBe(false);
    expect(matches('trading.jsonl.3')).toBe(false);
  });

  it('copytruncate with date names, compressed, bounded, run as the service user', () => {
    for (const directive of ['copytruncate', 'dateext', 'compress', 'delaycompress', 'missingok', 'notifempty']) {
      expect(directives, directive).toContain(directive);
    }
    expect(directives).toContain('su yunmin yunmin');
    expect(directives.some((line) => /^rotate \d+$/.test(line))).toBe(true);
    expect(directives.some((line) => /^maxage \d+$/.test(line))).toBe(true);
    // `create` would fight copytruncate (the file is never moved away).
    expect(directives.filter((line) => line.startsWith('create'))).toEqual([]);
  });

  describe("copytruncate against the engine's writer", () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    it('copy then truncate while the file is open → the copy has the old lines, later lines start at 0 with no hole', () => {
      dir = mkdtempSync(join(tmpdir(), 'yunmin-logrotate-'));
      const path = join(dir, 'trading.log');
      const errors: unknown[] = [];
      const file = new RotatingFile({ path, maxBytes: 1_000_000, keep: 3, onError: (error) => errors.push(error) });
      file.write('line 1\n');
      file.write('line 2\n');
      copyFileSync(path, `${path}-20260101`);
      truncateSync(path, 0);
      file.write('line 3\n');
      file.close();
      expect(readFileSync(`${path}-20260101`, 'utf8')).toBe('line 1\nline 2\n');
      expect(readFileSync(path, 'utf8')).toBe('line 3\n');
      expect(errors).toEqual([]);
    });
  });
});
