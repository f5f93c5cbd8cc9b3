import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * A stand-in for systemd's notification socket, for tests that run the real `systemd-notify`. Node
 * cannot bind an AF_UNIX datagram socket, so a few lines of Python play PID 1: print each datagram,
 * and close the fds it carries (that is how systemd-notify's BARRIER=1 wait ends).
 */
const RECEIVER = `
import array, json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps("listening"), flush=True)
while True:
    data, ancillary, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(64))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
            for fd in fds:
                os.close(fd)
    print(json.dumps(data.decode()), flush=True)
`;

const usable = (command: string) =>
  spawnSync(command, ['--version'], { encoding: 'utf8', timeout: 10_000 }).status === 0;

/** Whether the real tools are here (systemd's systemd-notify, and python3 for the stand-in). */
export const notifyToolsAvailable = usable('systemd-notify') && usable('python3');

export interface NotifySocketStandIn {
  readonly path: string;
  /** Datagrams received, BARRIER=1 dropped, each as its sorted assignments. */
  readonly messages: () => string[][];
  /** Resolves once `predicate` holds for the messages; rejects after `timeoutMs`. */
  waitUntil(predicate: (messages: string[][]) => boolean, timeoutMs: number, what: string): Promise<void>;
  close(): void;
}

export async function startNotifySocket(dir: string): Promise<NotifySocketStandIn> {
  const path = join(dir, 'notify.sock');
  const child: ChildProcess = spawn('python3', ['-c', RECEIVER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const received: string[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    received.push(JSON.parse(line) as string);
  });
  const messages = () =>
    received
      .slice(1)
      .filter((message) => message !== 'BARRIER=1')
      .map((message) => message.split('\n').sort());
  const waitUntil = async (predicate: () => boolean, timeoutMs: number, what: string) => {
    const started = process.hrtime.bigint();
    while (!predicate()) {
      if (process.hrtime.bigint() - started > BigInt(timeoutMs) * 1_000_000n) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(received)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await waitUntil(() => received[0] === 'listening', 10_000, 'the stand-in socket');
  return {
    path,
    messages,
    waitUntil: (predicate, timeoutMs, what) => waitUntil(() => predicate(messages()), timeoutMs, what),
    close: () => child.kill(),
  };
}
