import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { type DefaultLogger, WebsocketClient } from 'binance';
import WebSocket, { WebSocketServer } from 'ws';
import { DepthBook } from '../src/adapters/binance-usdm/wire/depth-book.ts';
import { decodeDepthSnapshot } from '../src/adapters/binance-usdm/wire/depth-snapshot-decoder.ts';
import {
  type DecodedStreamMessage,
  decodeStreamMessage,
} from '../src/adapters/binance-usdm/wire/stream-message-decoder.ts';
import { SystemClock } from '../src/lib/system-clock.ts';
import { startSimulator } from '../src/sim/simulator.ts';
import { type Benchmark, type BenchResult, result } from './bench-result.ts';

/**
 * Issue 3 point 11, market data: yunmin's WS path (decodeStreamMessage: JSON.parse + validation +
 * exact decimals + domain mapping, then a switch dispatch and DepthBook.apply for depth) against
 * (a) a bare `ws` + JSON.parse client and (b) the `binance` npm WebsocketClient, on the SAME frames.
 *
 * 1. Record real simulator frames (bookTicker, aggTrade, depth@100ms for 3 symbols, combined
 *    `{"stream","data"}` wrappers) plus the REST depth snapshots taken before the first tick.
 * 2. A bare `ws` server in a worker thread replays them. Each client connects, pauses its socket,
 *    the server queues every frame, and the clock starts when the client resumes: the server's
 *    framing is done before the measurement and runs on another core, so the rate is the client's.
 */

const SYMBOLS = ['btcusdt', 'ethusdt', 'bnbusdt'];
const TARGET_MESSAGES = 120_000;
const MAX_RECORD_MS = 15_000;
const RUN_TIMEOUT_MS = 30_000;
const REPETITIONS = 4;
const SETS = ['mixed', 'bookTicker', 'aggTrade', 'depth'] as const;
type SetName = (typeof SETS)[number];
const REPLAY_ROLE = 'adapter-market-data-replay-server';

interface Recording {
  readonly frames: readonly string[];
  readonly snapshots: ReadonlyMap<string, string>;
}

export const benchmark: Benchmark = {
  name: 'adapter market-data decode throughput',
  async run() {
    const recording = await record();
    const server = await startReplayWorker(recording.frames);
    try {
      const rates = new Map<string, number>();
      const notes = new Map<SetName, string>();
      const summaries = new Map<SetName, string>();
      for (let repetition = 0; repetition < REPETITIONS; repetition += 1) {
        for (const set of SETS) {
          // Rotate who goes first so that a busy moment on a shared machine does not always hit the same client.
          const clients = [
            async () => keepBest(rates, `bare:${set}`, await runBareClient(server, set)),
            async () => {
              const yunmin = await runYunminClient(server, set, recording.snapshots);
              keepBest(rates, `yunmin:${set}`, yunmin.rate);
              summaries.set(set, yunmin.summary);
            },
            async () => keepBest(rates, `binance:${set}`, await runBinanceClient(server, set)),
          ];
          if (set === 'depth') {
            clients.push(async () => {
              const decodeOnly = await runYunminClient(server, set, new Map());
              keepBest(rates, 'yunmin-no-book:depth', decodeOnly.rate);
            });
          }
          for (let turn = 0; turn < clients.length; turn += 1) {
            await (clients[(turn + repetition) % clients.length] as () => Promise<void>)();
          }
          notes.set(set, `${server.counts[set]} frames; ${summaries.get(set) ?? ''}`);
        }
      }
      const results: BenchResult[] = [];
      for (const set of SETS) {
        const yunmin = rates.get(`yunmin:${set}`) ?? 0;
        results.push(
          result({
            name: `yunmin WS path, ${set} (decode+validate+map+dispatch)`,
            unit: 'msg/s',
            value: yunmin,
            baselineName: 'bare ws + JSON.parse',
            baselineValue: rates.get(`bare:${set}`) ?? 0,
            notes: `goal ≥ 0.70; ${notes.get(set) ?? ''}; best of ${REPETITIONS}`,
          }),
          result({
            name: `yunmin WS path vs binance npm, ${set}`,
            unit: 'msg/s',
            value: yunmin,
            baselineName: 'binance WebsocketClient (message event)',
            baselineValue: rates.get(`binance:${set}`) ?? 0,
            notes: 'goal > 1.00; binance keeps decimals as strings and keeps no book',
          }),
        );
      }
      results.push(
        result({
          name: 'yunmin WS path vs binance npm, depth, decode only (no local book)',
          unit: 'msg/s',
          value: rates.get('yunmin-no-book:depth') ?? 0,
          baselineName: 'binance WebsocketClient (message event)',
          baselineValue: rates.get('binance:depth') ?? 0,
          notes: 'same as the depth row without DepthBook.apply: what the edge costs on its own',
        }),
        inProcessDecodeCost(recording),
      );
      return results;
    } finally {
      await server.stop();
    }
  },
};

function keepBest(rates: Map<string, number>, key: string, rate: number): void {
  rates.set(key, Math.max(rates.get(key) ?? 0, rate));
}

// ---------------------------------------------------------------------------------------------
// Recording

async function record(): Promise<Recording> {
  const sim = await startSimulator({ port: 0, seed: 1, manualTicks: true });
  try {
    const publicStreams = SYMBOLS.flatMap((symbol) => [`${symbol}@depth@100ms`, `${symbol}@bookTicker`]);
    const marketStreams = SYMBOLS.map((symbol) => `${symbol}@aggTrade`);
    const sockets = [
      new WebSocket(`${sim.urls.ws}/public/stream?streams=${publicStreams.join('/')}`),
      new WebSocket(`${sim.urls.ws}/market/stream?streams=${marketStreams.join('/')}`),
    ];
    await Promise.all(sockets.map((socket) => once(socket, 'open')));
    // Snapshots before the first tick: the first diff then bridges them (U ≤ lastUpdateId ≤ u).
    const snapshots = new Map<string, string>();
    for (const symbol of SYMBOLS) {
      const response = await fetch(`${sim.urls.rest}/fapi/v1/depth?symbol=${symbol.toUpperCase()}&limit=1000`);
      snapshots.set(symbol.toUpperCase(), await response.text());
    }
    const frames: string[] = [];
    for (const socket of sockets) {
      socket.on('message', (data: WebSocket.RawData) => {
        if (frames.length < TARGET_MESSAGES) frames.push(data.toString());
      });
    }
    const started = performance.now();
    while (frames.length < TARGET_MESSAGES && performance.now() - started < MAX_RECORD_MS) {
      for (let tick = 0; tick < 50; tick += 1) sim.market.tick();
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Let what was sent arrive.
    for (let idle = 0; idle < 3; ) {
      const before = frames.length;
      await new Promise((resolve) => setTimeout(resolve, 50));
      idle = frames.length === before ? idle + 1 : 0;
    }
    for (const socket of sockets) socket.terminate();
    return { frames, snapshots };
  } finally {
    await sim.stop();
  }
}

function setOf(frame: string): SetName {
  const end = frame.indexOf('"', 11); // {"stream":"<name>"
  const stream = frame.slice(11, end);
  if (stream.endsWith('@bookTicker')) return 'bookTicker';
  if (stream.endsWith('@aggTrade')) return 'aggTrade';
  return 'depth';
}

function framesOf(frames: readonly string[], set: SetName): string[] {
  return set === 'mixed' ? [...frames] : frames.filter((frame) => setOf(frame) === set);
}

// ---------------------------------------------------------------------------------------------
// Replay server (worker thread)

interface ReplayServer {
  readonly url: string;
  readonly counts: Readonly<Record<SetName, number>>;
  /** Queues every frame of `set` on the newest connection; resolves when all are queued. */
  replay(set: SetName): Promise<void>;
  stop(): Promise<void>;
}

async function startReplayWorker(frames: readonly string[]): Promise<ReplayServer> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { role: REPLAY_ROLE, frames } });
  const [listening] = (await once(worker, 'message')) as [{ port: number }];
  const counts = Object.fromEntries(SETS.map((set) => [set, framesOf(frames, set).length])) as Record<SetName, number>;
  return {
    url: `ws://127.0.0.1:${listening.port}`,
    counts,
    async replay(set) {
      worker.postMessage({ set });
      await once(worker, 'message');
    },
    async stop() {
      await worker.terminate();
    },
  };
}

async function runReplayServer(frames: readonly string[]): Promise<void> {
  const bySet = new Map(SETS.map((set) => [set, framesOf(frames, set)]));
  const server = createServer();
  const wss = new WebSocketServer({ server });
  let newest: WebSocket | undefined;
  wss.on('connection', (socket) => {
    newest = socket;
    // The binance client subscribes first and waits for Binance's ack.
    socket.on('message', (data: WebSocket.RawData) => {
      const request = JSON.parse(data.toString()) as { id?: unknown };
      socket.send(JSON.stringify({ result: null, id: request.id ?? null }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  parentPort?.postMessage({ port: (server.address() as AddressInfo).port });
  parentPort?.on('message', (request: { set: SetName }) => {
    for (const frame of bySet.get(request.set) ?? []) newest?.send(frame);
    parentPort?.postMessage({ queued: request.set });
  });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === REPLAY_ROLE) {
  await runReplayServer((workerData as { frames: string[] }).frames);
}

// ---------------------------------------------------------------------------------------------
// Clients

/** Pauses the socket, has every frame queued, then times the drain. */
async function timeDrain(
  server: ReplayServer,
  set: SetName,
  socket: WebSocket,
  counted: () => number,
  total: number,
): Promise<number> {
  socket.pause();
  await server.replay(set);
  const started = performance.now();
  socket.resume();
  const deadline = started + RUN_TIMEOUT_MS;
  while (counted() < total && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return counted() / ((performance.now() - started) / 1000);
}

async function runBareClient(server: ReplayServer, set: SetName): Promise<number> {
  const socket = new WebSocket(`${server.url}/public/stream`);
  await once(socket, 'open');
  let received = 0;
  socket.on('message', (data: WebSocket.RawData) => {
    const parsed = JSON.parse(data.toString()) as { data?: unknown };
    if (parsed.data !== undefined) received += 1;
  });
  const rate = await timeDrain(server, set, socket, () => received, server.counts[set]);
  socket.terminate();
  return rate;
}

async function runYunminClient(
  server: ReplayServer,
  set: SetName,
  snapshots: ReadonlyMap<string, string>,
): Promise<{ rate: number; summary: string }> {
  const clock = new SystemClock();
  const books = new Map<string, DepthBook>();
  for (const [symbol, body] of snapshots) {
    const decoded = decodeDepthSnapshot(JSON.parse(body));
    if (!decoded.ok) throw new Error(decoded.reason);
    const book = new DepthBook(symbol);
    book.loadSnapshot(decoded.snapshot);
    books.set(symbol, book);
  }
  const tally = { market: 0, applied: 0, stale: 0, gap: 0, 'awaiting-snapshot': 0, other: 0 };
  let received = 0;
  const dispatch = (message: DecodedStreamMessage): void => {
    switch (message.kind) {
      case 'market':
        tally.market += 1;
        break;
      case 'depthDiff': {
        const book = books.get(message.diff.symbol);
        if (book === undefined) tally.other += 1;
        else tally[book.apply(message.diff)] += 1;
        break;
      }
      case 'user':
      case 'control':
      case 'ignored':
        tally.other += 1;
        break;
      default: {
        const unreachable: never = message;
        throw new Error(`unexpected ${String(unreachable)}`);
      }
    }
  };
  const socket = new WebSocket(`${server.url}/public/stream`);
  await once(socket, 'open');
  socket.on('message', (data: WebSocket.RawData) => {
    dispatch(decodeStreamMessage(data.toString(), clock.now()));
    received += 1;
  });
  const rate = await timeDrain(server, set, socket, () => received, server.counts[set]);
  socket.terminate();
  const summary = `yunmin: ${tally.market} market events, depth ${tally.applied} applied / ${tally.stale} stale / ${tally.gap} gaps, ${tally.other} other`;
  return { rate, summary };
}

async function runBinanceClient(server: ReplayServer, set: SetName): Promise<number> {
  const silent: DefaultLogger = { trace: () => {}, info: () => {}, error: () => {} };
  const client = new WebsocketClient({ wsUrl: server.url, beautify: false, pingInterval: 600_000 }, silent);
  let received = 0;
  client.on('message', () => {
    received += 1;
  });
  // → ws://…/public/stream plus a SUBSCRIBE frame, as against Binance (test/conformance/README.md).
  await client.subscribeDiffBookDepth('BTCUSDT', 100, 'usdm');
  const socket = client.getWsStore().getWs('usdmPublic' as never) as WebSocket | undefined;
  if (socket === undefined) throw new Error('binance client has no usdmPublic socket');
  received = 0;
  const rate = await timeDrain(server, set, socket, () => received, server.counts[set]);
  client.closeAll(true);
  client.removeAllListeners();
  return rate;
}

// ---------------------------------------------------------------------------------------------
// In-process cost of the edge (no socket): what validation adds to JSON.parse.

function inProcessDecodeCost(recording: Recording): BenchResult {
  const frames = recording.frames;
  const parseOnly = (): number => {
    const started = performance.now();
    let count = 0;
    for (const frame of frames) if ((JSON.parse(frame) as { data?: unknown }).data !== undefined) count += 1;
    return count / ((performance.now() - started) / 1000);
  };
  const decode = (): number => {
    const started = performance.now();
    let count = 0;
    for (const frame of frames) if (decodeStreamMessage(frame, 0).kind !== 'ignored') count += 1;
    return count / ((performance.now() - started) / 1000);
  };
  let parseRate = 0;
  let decodeRate = 0;
  for (let round = 0; round < 3; round += 1) {
    parseRate = Math.max(parseRate, parseOnly());
    decodeRate = Math.max(decodeRate, decode());
  }
  return result({
    name: 'decodeStreamMessage in-process, mixed frames (no socket, no book)',
    unit: 'msg/s',
    value: decodeRate,
    baselineName: 'JSON.parse only',
    baselineValue: parseRate,
    notes: `${frames.length} frames; the edge's validation + exact decimals cost ${(1e6 / decodeRate - 1e6 / parseRate).toFixed(2)} µs/msg`,
  });
}
