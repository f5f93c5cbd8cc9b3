import { createHmac } from 'node:crypto';
import { startSimulator } from '../src/sim/simulator.ts';
import { type Benchmark, result } from './bench-result.ts';

const CONCURRENCY = 8;
const MAX_REQUESTS = 6_000;
const MAX_MS = 6_000;

/** Signed order requests per second on loopback, against unsigned `/fapi/v1/ping` on the same server and client. */
export const benchmark: Benchmark = {
  name: 'simulator signed order throughput',
  async run() {
    const sim = await startSimulator({
      port: 0,
      seed: 1,
      manualTicks: true,
      rateLimits: { requestWeightPerMinute: 10_000_000, ordersPer10Seconds: 10_000_000, ordersPerMinute: 10_000_000 },
      exchange: { initialBalance: 1_000_000_000n * 100_000_000n },
    });
    const ping = await measure(async () => {
      const response = await fetch(`${sim.urls.rest}/fapi/v1/ping`);
      await response.arrayBuffer();
      return response.status === 200;
    });
    let sequence = 0;
    const orders = await measure(async () => {
      sequence += 1;
      const side = sequence % 2 === 0 ? 'SELL' : 'BUY';
      const query = `symbol=BTCUSDT&side=${side}&type=MARKET&quantity=0.001&newClientOrderId=bench-${sequence}&timestamp=${Date.now()}&recvWindow=5000`;
      const signature = createHmac('sha256', sim.apiSecret).update(query).digest('hex');
      const response = await fetch(`${sim.urls.rest}/fapi/v1/order?${query}&signature=${signature}`, {
        method: 'POST',
        headers: { 'X-MBX-APIKEY': sim.apiKey },
      });
      await response.arrayBuffer();
      return response.status === 200;
    });
    await sim.stop();
    return [
      result({
        name: 'sim signed MARKET orders (HMAC, matching, user events)',
        unit: 'req/s',
        value: orders.rate,
        baselineName: 'unsigned /fapi/v1/ping, same server and client',
        baselineValue: ping.rate,
        notes: `${orders.ok}/${orders.count} orders accepted, concurrency ${CONCURRENCY}`,
      }),
    ];
  },
};

async function measure(request: () => Promise<boolean>): Promise<{ rate: number; count: number; ok: number }> {
  let count = 0;
  let ok = 0;
  const started = performance.now();
  const worker = async () => {
    while (count < MAX_REQUESTS && performance.now() - started < MAX_MS) {
      count += 1;
      if (await request()) ok += 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { rate: count / ((performance.now() - started) / 1000), count, ok };
}
