import { execFile } from 'node:child_process';
import type { Clock, TimerHandle } from '../../lib/clock.ts';
import type { Logger } from '../../ports/logger.ts';

/** Runs `systemd-notify` with these arguments towards `socket`; resolves when it exited 0. */
export type NotifySpawner = (args: readonly string[], socket: string) => Promise<void>;

/** The environment systemd gives a `Type=notify` service (sd_notify(3), sd_watchdog_enabled(3)). */
export interface SystemdEnvironment {
  readonly NOTIFY_SOCKET?: string | undefined;
  readonly WATCHDOG_USEC?: string | undefined;
  readonly WATCHDOG_PID?: string | undefined;
}

export interface SystemdNotifierOptions {
  readonly clock: Clock;
  readonly env: SystemdEnvironment;
  /** The engine's pid: sent as `--pid=` so systemd attributes the message to the main process. */
  readonly pid: number;
  /** Why the engine is unhealthy right now, or undefined when it is healthy (checked before each ping). */
  readonly health: () => string | undefined;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  /** Default: the `systemd-notify` binary (see `systemdNotifySpawner`). */
  readonly spawn?: NotifySpawner;
}

/**
 * `systemd-notify` as a spawner. Node has no AF_UNIX datagram sockets, so the notification goes
 * through systemd's own tool; systemd ≥ 246 makes it wait until PID 1 has read the message (so the
 * sender is still alive to be attributed to the unit), and the timeout bounds that wait.
 */
export function systemdNotifySpawner(options: { command?: string; timeoutMs?: number } = {}): NotifySpawner {
  const command = options.command ?? 'systemd-notify';
  const timeout = options.timeoutMs ?? 5_000;
  return (args, socket) =>
    new Promise((resolve, reject) => {
      // The socket is passed explicitly: the notifier's environment is injected, not assumed ambient.
      const env = { ...process.env, NOTIFY_SOCKET: socket };
      execFile(command, [...args], { timeout, env }, (error, _stdout, stderr) => {
        if (error === null) resolve();
        else reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
      });
    });
}

/**
 * Tells systemd the engine is up (READY=1) and alive (WATCHDOG=1), issue 7 point 6. A no-op unless
 * systemd started us with NOTIFY_SOCKET. Pings go out every WATCHDOG_USEC / 2 (sd_watchdog_enabled's
 * advice) from a timer on the event loop, so a blocked loop sends none, and only while `health`
 * says the engine's loops are working: withholding the ping is how a stuck engine gets restarted.
 */
export class SystemdNotifier {
  /** WATCHDOG=1 period, or undefined when systemd set no watchdog for this process. */
  readonly watchdogIntervalMs: number | undefined;
  readonly #options: SystemdNotifierOptions;
  readonly #spawn: NotifySpawner;
  readonly #socket: string;
  #timer: TimerHandle | undefined;
  #pinging = false;
  #withheldFor: string | undefined;
  #failing = false;

  constructor(options: SystemdNotifierOptions) {
    this.#options = options;
    this.#spawn = options.spawn ?? systemdNotifySpawner();
    this.#socket = options.env.NOTIFY_SOCKET ?? '';
    this.watchdogIntervalMs = this.enabled ? watchdogIntervalMs(options.env, options.pid) : undefined;
  }

  get enabled(): boolean {
    return this.#socket !== '';
  }

  /** READY=1 with a status line, then the watchdog timer (if systemd asked for one). */
  async ready(status: string): Promise<void> {
    if (!this.enabled) return;
    await this.#send(['--ready', `STATUS=${status}`]);
    const interval = this.watchdogIntervalMs;
    if (interval === undefined || this.#timer !== undefined) return;
    this.#options.logger.info(`systemd watchdog: WATCHDOG=1 every ${interval} ms while the engine is healthy`);
    this.#timer = this.#options.clock.setInterval(() => void this.#tick(), interval);
  }

  /** STOPPING=1 (systemd then waits for the exit instead of declaring a watchdog failure). */
  async stop(): Promise<void> {
    this.#options.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    if (this.enabled) await this.#send(['STOPPING=1']);
  }

  async #tick(): Promise<void> {
    // A ping still in flight (PID 1 busy): skip rather than pile up child processes.
    if (this.#pinging) return;
    const problem = this.#options.health();
    if (problem !== undefined) {
      if (this.#withheldFor === undefined) {
        this.#options.logger.warn(`systemd watchdog: ping withheld, ${problem}`);
        this.#pinging = true;
        await this.#send([`STATUS=unhealthy: ${problem}`]);
        this.#pinging = false;
      }
      this.#withheldFor = problem;
      return;
    }
    const recovered = this.#withheldFor !== undefined;
    this.#withheldFor = undefined;
    if (recovered) this.#options.logger.info('systemd watchdog: healthy again, pings resume');
    this.#pinging = true;
    await this.#send(recovered ? ['WATCHDOG=1', 'STATUS=running'] : ['WATCHDOG=1']);
    this.#pinging = false;
  }

  /** Never throws: a failed notification is logged once per failing streak, and trading goes on. */
  async #send(assignments: readonly string[]): Promise<void> {
    try {
      await this.#spawn([`--pid=${this.#options.pid}`, ...assignments], this.#socket);
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) {
        this.#options.logger.warn(
          `systemd notification failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      this.#failing = true;
    }
  }
}

/** WATCHDOG_USEC / 2 in ms; none when unset, invalid, or meant for another process (WATCHDOG_PID). */
function watchdogIntervalMs(env: SystemdEnvironment, pid: number): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (env.WATCHDOG_USEC === undefined || !Number.isSafeInteger(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== '' && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(1, Math.floor(usec / 2_000));
}
