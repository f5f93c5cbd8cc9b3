import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'yunmin.js');

describe('yunmin sim (the CLI process)', () => {
  it('--port 0 → exactly one JSON line with the URLs; serves; SIGTERM → clean exit 0', async () => {
    const child = spawn(process.execPath, [bin, 'sim', '--port', '0', '--seed', '3'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = createInterface({ input: child.stdout });
    const stdout: string[] = [];
    lines.on('line', (line) => stdout.push(line));
    const first = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no ready line within 15 s')), 15_000);
      lines.once('line', (line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
    const urls = JSON.parse(first) as { rest: string; ws: string; control: string };
    expect(urls.rest).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(urls.ws).toBe(urls.rest.replace('http', 'ws'));
    expect(urls.control).toBe(`${urls.rest}/_sim`);
    const ping = await fetch(`${urls.rest}/fapi/v1/ping`);
    expect(await ping.json()).toEqual({});
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(stdout).toEqual([first]);
  });

  it('--port abc → exits non-zero naming the option and what was expected', async () => {
    const child = spawn(process.execPath, [bin, 'sim', '--port', 'abc'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const [code] = await once(child, 'exit');
    expect(code).not.toBe(0);
    expect(stderr).toContain('--port');
    expect(stderr).toContain('expected an integer');
  });
});
