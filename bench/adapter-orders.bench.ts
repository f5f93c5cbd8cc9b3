import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';
import { BinanceRestClient } from '../src/adapters/binance-usdm/rest/binance-rest-client.ts';
import { generateClientOrderId } from '../src/adapters/binance-usdm/rest/client-order-id.ts';
import { REST_AGENT_OPTIONS } from '../src/adapters/binance-usdm/rest/rest-transport.ts';
import { parseFixed } from '../src/lib/fixed.ts';
import { SystemClock } from '../src/lib/system-clock.ts';
import { startSimulator } from '../src/sim/simulator.ts';
import { type Benchmark, type BenchResult, result } from './bench-result.ts';

/**
 * Signed order round trips per second through `BinanceRestClient.placeOrder` (limiter, hold check,
 * HMAC signing, timeout timer, reply validation and mapping) against a raw undici loop sending
 * pre-signed queries to the same simulator with the same Agent settings (issue 3, point 11).
 */

const PHASE_MS = 2500;
const MAX_PER_PHASE = 20_000;
const ROUNDS = 3;
const QUANTITY = parseFixed('0.001');

export const benchmark: Benchmark = {
  name: 'adapter signed order round trips',
  async run() {
    const sim = await startSimulator({
      port: 0,
      seed: 1,
      manualTicks: true,
      rateLimits: { requestWeightPerMinute: 10_000_000, ordersPer10Seconds: 10_000_000, ordersPerMinute: 10_000_000 },
      exchange: { initialBalance: 1_000_000_000n * 100_000_000n },
    });
    const client = new BinanceRestClient({
      clock: new SystemClock(),
      endpoints: [sim.urls.rest],
      credentials: { apiKey: sim.apiKey, apiSecret: sim.apiSecret },
    });
    await client.syncTime();
    await client.getExchangeInfo(); // learns the raised limits
    const agent = new Agent(REST_AGENT_OPTIONS);
    const headers = { 'X-MBX-APIKEY': sim.apiKey };
    let sequence = 0;
    const side = () => {
      sequence += 1;
      return sequence % 2 === 0 ? 'SELL' : 'BUY';
    };

    /** The baseline: queries signed before the clock starts, sent and read with nothing else. */
    const raw = async (concurrency: number) => {
      const urls: string[] = [];
      const timestamp = Date.now();
      for (let index = 0; index < MAX_PER_PHASE; index += 1) {
        const query = `symbol=BTCUSDT&side=${side()}&type=MARKET&quantity=0.001&newClientOrderId=${generateClientOrderId('raw-')}&newOrderRespType=RESULT&timestamp=${timestamp}&recvWindow=5000`;
        const signature = createHmac('sha256', sim.apiSecret).update(query).digest('hex');
        urls.push(`${sim.urls.rest}/fapi/v1/order?${query}&signature=${signature}`);
      }
      let next = 0;
      return measure(concurrency, async () => {
        const url = urls[next++];
        if (url === undefined) return false;
        const response = await request(url, { method: 'POST', headers, dispatcher: agent });
        await response.body.text();
        return response.statusCode === 200;
      });
    };

    const adapter = (concurrency: number) =>
      measure(concurrency, async () => {
        const report = await client.placeOrder({
          symbol: 'BTCUSDT',
          side: side(),
          type: 'MARKET',
          quantity: QUANTITY,
          reduceOnly: false,
          clientOrderId: generateClientOrderId(),
        });
        return report.status === 'FILLED';
      });

    const results: BenchResult[] = [];
    for (const concurrency of [1, 16]) {
      let best = { raw: undefined as Rate | undefined, adapter: undefined as Rate | undefined };
      // Interleaved rounds, best of each: both sides see the same warm-up and the same machine noise.
      for (let round = 0; round < ROUNDS; round += 1) {
        const rawRate = await raw(concurrency);
        const adapterRate = await adapter(concurrency);
        best = {
          raw: best.raw === undefined || rawRate.rate > best.raw.rate ? rawRate : best.raw,
          adapter: best.adapter === undefined || adapterRate.rate > best.adapter.rate ? adapterRate : best.adapter,
        };
      }
      const { raw: rawBest, adapter: adapterBest } = best;
      if (rawBest === undefined || adapterBest === undefined) continue;
      results.push(
        result({
          name: `BinanceRestClient.placeOrder MARKET, concurrency ${concurrency}`,
          unit: 'orders/s',
          value: adapterBest.rate,
          baselineName: 'raw undici loop, pre-signed queries, same Agent settings',
          baselineValue: rawBest.rate,
          notes: `goal ≥ 0.8; ${adapterBest.ok}/${adapterBest.count} filled vs raw ${rawBest.ok}/${rawBest.count} accepted; sim in the same process`,
        }),
      );
    }
    await client.close();
    await agent.close();
    await sim.stop();
    return results;
  },
};

interface Rate {
  readonly rate: number;
  readonly count: number;
  readonly ok: number;
}

async function measure(concurrency: number, send: () => Promise<boolean>): Promise<Rate> {
  let count = 0;
  let ok = 0;
  const started = performance.now();
  const worker = async () => {
    while (count < MAX_PER_PHASE && performance.now() - started < PHASE_MS) {
      count += 1;
      if (await send()) ok += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { rate: count / ((performance.now() - started) / 1000), count, ok };
}
