import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDiskSpace, type DiskStats } from './disk-check.ts';

const MB = 1024 * 1024;
const THRESHOLDS = { failBelowBytes: 100 * MB, warnBelowBytes: 1024 * MB, warnBelowShare: 0.05 };
const disk = (freeMb: number, totalMb: number): DiskStats => ({
  bsize: 4096,
  blocks: (totalMb * MB) / 4096,
  bavail: (freeMb * MB) / 4096,
});

describe('checkDiskSpace', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const dir = () => {
    const created = mkdtempSync(join(tmpdir(), 'yunmin-disk-'));
    dirs.push(created);
    return created;
  };

  it('a full disk (below the fail threshold) → fail', async () => {
    const result = await checkDiskSpace('state_dir', dir(), async () => disk(50, 100_000), THRESHOLDS);
    expect(result).toMatchObject({ name: 'disk state_dir', status: 'fail' });
    expect(result.detail).toContain('50 MB free');
  });

  it('plenty of room → pass; under 1 GB or under 5 % → warn', async () => {
    const path = dir();
    expect((await checkDiskSpace('logs_dir', path, async () => disk(20_000, 100_000), THRESHOLDS)).status).toBe('pass');
    expect((await checkDiskSpace('logs_dir', path, async () => disk(800, 100_000), THRESHOLDS)).status).toBe('warn');
    expect((await checkDiskSpace('logs_dir', path, async () => disk(4000, 1_000_000), THRESHOLDS)).status).toBe('warn');
  });

  it('a directory not created yet → measured at its nearest existing parent', async () => {
    const parent = dir();
    const asked: string[] = [];
    const result = await checkDiskSpace(
      'state_dir',
      join(parent, 'state', 'deeper'),
      async (path) => {
        asked.push(path);
        return disk(20_000, 100_000);
      },
      THRESHOLDS,
    );
    expect(asked).toEqual([parent]);
    expect(result.detail).toContain('not created yet');
  });

  it('statfs fails → fail naming the error', async () => {
    const result = await checkDiskSpace(
      'state_dir',
      dir(),
      async () => {
        throw new Error('EACCES: permission denied');
      },
      THRESHOLDS,
    );
    expect(result).toMatchObject({ status: 'fail', detail: expect.stringContaining('EACCES') });
  });
});
