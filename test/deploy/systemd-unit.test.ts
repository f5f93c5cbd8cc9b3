import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDeployFile } from './deploy-files.ts';

type Unit = Map<string, Map<string, string[]>>;

/** systemd's unit syntax, as much as the tests need: sections, `Key=value` (repeatable), comments. */
function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header !== null) {
      section = new Map();
      unit.set(header[1] as string, section);
      continue;
    }
    const equals = line.indexOf('=');
    if (section === undefined || equals <= 0) throw new Error(`not a unit line: ${line}`);
    const key = line.slice(0, equals);
    section.set(key, [...(section.get(key) ?? []), line.slice(equals + 1)]);
  }
  return unit;
}

const REPO = join(import.meta.dirname, '..', '..');
const text = readDeployFile('systemd', 'yunmin.service');
const unit = parseUnit(text);
const service = (key: string) => unit.get('Service')?.get(key)?.at(-1);

describe('deploy/systemd/yunmin.service', () => {
  it('Type=notify with a watchdog the engine can feed: NotifyAccess=all (systemd-notify is a child), WatchdogSec 90', () => {
    expect(service('Type')).toBe('notify');
    expect(service('NotifyAccess')).toBe('all');
    expect(service('WatchdogSec')).toBe('90');
    // The engine withholds pings after 60 s of silence (engine-app.ts); the watchdog must be longer.
    expect(Number(service('WatchdogSec'))).toBeGreaterThan(60);
    expect(readFileSync(join(REPO, 'src', 'app', 'engine-app.ts'), 'utf8')).toContain(
      'new DetectorHeartbeat({ clock, maxSilenceMs: 60_000 })',
    );
    expect(service('Restart')).toBe('on-failure');
  });

  it('ExecStart → Node 24 from node_modules/.bin running bin/yunmin.js engine with a config, in the checkout', () => {
    const exec = service('ExecStart') ?? '';
    expect(exec).toMatch(/^\/opt\/yunmin\/node_modules\/\.bin\/node bin\/yunmin\.js engine --config \S+\.yaml/);
    expect(service('WorkingDirectory')).toBe('/opt/yunmin');
    expect(existsSync(join(REPO, 'node_modules', '.bin', 'node'))).toBe(true);
    expect(existsSync(join(REPO, 'bin', 'yunmin.js'))).toBe(true);
  });

  it('secrets from an EnvironmentFile, never inline; unprivileged user', () => {
    expect(service('EnvironmentFile')).toBe('/etc/yunmin/yunmin.env');
    expect(text).not.toMatch(/BINANCE_API_(KEY|SECRET)=|YUNMIN_CONTROL_TOKEN=/);
    expect(service('User')).toBe('yunmin');
  });

  it('hardening → read-only system with state/ and logs/ writable, no new privileges, no capabilities', () => {
    expect(service('NoNewPrivileges')).toBe('true');
    expect(service('ProtectSystem')).toBe('strict');
    expect(service('ReadWritePaths')?.split(/\s+/).sort()).toEqual(['/opt/yunmin/logs', '/opt/yunmin/state']);
    expect(service('ProtectHome')).toBe('true');
    expect(service('PrivateTmp')).toBe('true');
    expect(service('CapabilityBoundingSet')).toBe('');
    expect(service('RestrictAddressFamilies')?.split(/\s+/)).toContain('AF_UNIX');
    expect(service('LimitCORE')).toBe('0');
    expect(unit.get('Install')?.get('WantedBy')).toEqual(['multi-user.target']);
  });

  const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  it.runIf(analyze.status === 0)('systemd-analyze verify → no warning (paths pointed at this checkout)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'yunmin-unit-'));
    try {
      const verify = (content: string) => {
        const path = join(dir, 'yunmin.service');
        writeFileSync(path, content.replaceAll('/opt/yunmin', REPO));
        return spawnSync('systemd-analyze', ['verify', path], { encoding: 'utf8', timeout: 30_000 });
      };
      const result = verify(text);
      expect(result.stderr.trim()).toBe('');
      expect(result.status).toBe(0);
      // The check bites: a misspelt directive is reported (systemd only warns, so stderr is the signal).
      expect(verify(text.replace('Type=notify', 'Type=notifyy')).stderr).toContain('notifyy');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
