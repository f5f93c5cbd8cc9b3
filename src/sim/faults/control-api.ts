import { z } from 'zod';
import type { Clock } from '../../lib/clock.ts';
import { type Fixed, parseFixed, tryParseFixed } from '../../lib/fixed.ts';
import { YunminError } from '../../lib/yunmin-error.ts';
import { ApiError } from '../api-error.ts';
import type { ControlHandler } from './fault-gate.ts';
import type { FaultInjector } from './fault-injector.ts';
import { describeIssues, joinIssues, parseFaultSpec, type ValidationIssue } from './fault-spec.ts';

/**
 * The simulator's `/_sim` control API: what drills, tests and operators (curl) use to break the
 * exchange on purpose and to look at what was broken when. Every answer is JSON; bad input is a 400
 * naming the field, an unknown route a 404; nothing here throws.
 */

export interface ControlApiDeps {
  readonly injector: FaultInjector;
  readonly scenarios: { load(yamlText: string): { readonly name: string } };
  readonly market: { setPrice(symbol: string, price: Fixed): void };
  readonly exchange: { reset(balance?: Fixed): void };
  /** The exchange's clock, clock-skew fault included: GET /time reports what the exchange reports. */
  readonly clock: Clock;
}

type Reply = { readonly status: number; readonly body: unknown };

interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** ":id" matches one path segment. */
  readonly path: string;
  readonly description: string;
  readonly handle: (context: { readonly params: Readonly<Record<string, string>>; readonly body: string }) => Reply;
}

const decimal = (what: string) =>
  z
    .string({ error: `expected ${what} as a decimal string such as "43187.10"` })
    .refine((text) => typeof tryParseFixed(text) === 'bigint' && !text.startsWith('-'), {
      message: `expected ${what} as a non-negative decimal string with at most 8 decimals`,
    });
const priceBodySchema = z.strictObject({
  symbol: z.string().regex(/^[A-Za-z0-9]{1,20}$/, 'expected a symbol such as "BTCUSDT"'),
  price: decimal('a price').refine((text) => tryParseFixed(text) !== 0n, 'expected a price above 0'),
});
const resetBodySchema = z.strictObject({ balance: decimal('a USDT balance').optional() });

export function createControlHandler(deps: ControlApiDeps): ControlHandler {
  const routes: readonly Route[] = [
    {
      method: 'GET',
      path: '/',
      description: 'this index',
      handle: () => ok(200, { routes: routes.map(({ method, path, description }) => ({ method, path, description })) }),
    },
    {
      method: 'GET',
      path: '/faults',
      description: 'active faults',
      handle: () => ok(200, deps.injector.active()),
    },
    {
      method: 'POST',
      path: '/faults',
      description: 'inject a fault (JSON fault spec) → 201 with the active fault',
      handle: ({ body }) =>
        withJson(body, (input) => {
          const parsed = parseFaultSpec(input);
          if (!parsed.ok) return invalid(parsed.message, parsed.issues);
          return ok(201, deps.injector.inject(parsed.value));
        }),
    },
    {
      method: 'DELETE',
      path: '/faults',
      description: 'clear every active fault',
      handle: () => ok(200, { cleared: deps.injector.clearAll() }),
    },
    {
      method: 'GET',
      path: '/faults/log',
      description: 'every fault injected: start, first effect, end, effect count',
      handle: () => ok(200, deps.injector.log()),
    },
    {
      method: 'DELETE',
      path: '/faults/:id',
      description: 'clear one fault',
      handle: ({ params }) => {
        const id = params.id ?? '';
        return deps.injector.clear(id) ? ok(200, { cleared: id }) : failure(404, `no active fault with id "${id}"`);
      },
    },
    {
      method: 'POST',
      path: '/scenario',
      description: 'start a scenario (YAML text body)',
      handle: ({ body }) => {
        if (body.trim() === '') return failure(400, 'expected a scenario as YAML text in the body');
        const handle = deps.scenarios.load(body);
        return ok(201, { name: handle.name });
      },
    },
    {
      method: 'POST',
      path: '/price',
      description: 'set a symbol\'s price: {"symbol":"BTCUSDT","price":"43000.00"}',
      handle: ({ body }) =>
        withJson(body, (input) => {
          const parsed = priceBodySchema.safeParse(input);
          if (!parsed.success) return invalidZod('invalid price', parsed.error.issues);
          const symbol = parsed.data.symbol.toUpperCase();
          deps.market.setPrice(symbol, parseFixed(parsed.data.price));
          return ok(200, { symbol, price: parsed.data.price });
        }),
    },
    {
      method: 'POST',
      path: '/reset',
      description: 'reset balances, positions and orders: {"balance":"10000"} (optional)',
      handle: ({ body }) =>
        withJson(body.trim() === '' ? '{}' : body, (input) => {
          const parsed = resetBodySchema.safeParse(input);
          if (!parsed.success) return invalidZod('invalid reset', parsed.error.issues);
          const balance = parsed.data.balance;
          if (balance === undefined) deps.exchange.reset();
          else deps.exchange.reset(parseFixed(balance));
          return ok(200, { reset: true, ...(balance === undefined ? {} : { balance }) });
        }),
    },
    {
      method: 'GET',
      path: '/time',
      description: "the exchange's time and the clock-skew fault's offset",
      handle: () => ok(200, { serverTime: deps.clock.now(), skewMs: deps.injector.clockSkewMs() }),
    },
  ];

  return async (request) => {
    try {
      const path = normalisePath(request.path);
      const onPath = routes
        .map((route) => ({ route, params: matchPath(route.path, path) }))
        .filter(
          (candidate): candidate is { route: Route; params: Record<string, string> } => candidate.params !== undefined,
        );
      if (onPath.length === 0) return failure(404, `no route ${request.method} /_sim${path}; GET /_sim/ lists them`);
      const chosen = onPath.find((candidate) => candidate.route.method === request.method.toUpperCase());
      if (chosen === undefined) {
        const allowed = [...new Set(onPath.map((candidate) => candidate.route.method))].join(', ');
        return failure(405, `method ${request.method} not allowed on /_sim${path}; allowed: ${allowed}`);
      }
      return chosen.route.handle({ params: chosen.params, body: request.body });
    } catch (error) {
      return errorReply(error);
    }
  };
}

function ok(status: number, body: unknown): Reply {
  return { status, body };
}

function failure(status: number, message: string, extra: Record<string, unknown> = {}): Reply {
  return { status, body: { error: message, ...extra } };
}

function invalid(message: string, issues: readonly ValidationIssue[]): Reply {
  return failure(400, message, { issues });
}

function invalidZod(what: string, zodIssues: Parameters<typeof describeIssues>[0]): Reply {
  const issues = describeIssues(zodIssues);
  return invalid(`${what}: ${joinIssues(issues)}`, issues);
}

function withJson(body: string, handle: (input: unknown) => Reply): Reply {
  let input: unknown;
  try {
    input = JSON.parse(body);
  } catch (error) {
    return failure(400, `body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return handle(input);
}

/** Target errors: a Binance error (unknown symbol…) or our own validation is the caller's fault. */
function errorReply(error: unknown): Reply {
  if (error instanceof ApiError) return failure(400, error.msg, { code: error.code });
  if (error instanceof YunminError) {
    const issues = 'issues' in error ? { issues: error.issues } : {};
    return failure(400, error.message, { code: error.code, ...issues });
  }
  return failure(500, `internal error: ${error instanceof Error ? error.message : String(error)}`);
}

function normalisePath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const wanted = pattern.split('/');
  const actual = path.split('/');
  if (wanted.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let index = 0; index < wanted.length; index += 1) {
    const segment = wanted[index] ?? '';
    const value = actual[index] ?? '';
    if (segment.startsWith(':')) params[segment.slice(1)] = safeDecode(value);
    else if (segment !== value) return undefined;
  }
  return params;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a malformed escape is just an id that matches nothing
  }
}
