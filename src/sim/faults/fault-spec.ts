import { z } from 'zod';
import { type Fixed, tryParseFixed } from '../../lib/fixed.ts';
import { durationSchema } from './duration.ts';

/**
 * What can go wrong, as data: one fault per playbook incident (DESIGN "incident matrix"), written by
 * people in scenario YAML and `POST /_sim/faults`. Validated once here with precise messages; the
 * injector then trusts it. Durations arrive as numbers or "30s" and leave as integer milliseconds.
 * Decimals (quantities, prices) stay strings so a spec is plain JSON for the fault log.
 */

export const FAULT_TYPES = [
  'ws-close',
  'ws-refuse',
  'ws-freeze',
  'depth-gap',
  'rest-error',
  'rest-hang',
  'latency',
  'stuck-orders',
  'flash-crash',
  'external-fill',
  'maintenance',
  'clock-skew',
] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

export const REST_ERROR_STATUSES = [429, 418, 503, 504, 408, 500] as const;
export type RestErrorStatus = (typeof REST_ERROR_STATUSES)[number];

/** The four 503 bodies of reference §2.7, told apart only by `msg`. */
export const SERVICE_UNAVAILABLE_VARIANTS = ['unknown', 'unavailable', 'internal', 'throttled'] as const;
/** A gateway 504 comes from the load balancer, not the API: an HTML page, or nothing at all. */
export const GATEWAY_TIMEOUT_VARIANTS = ['html', 'empty'] as const;

const channel = z.enum(['public', 'market', 'private']);
const count = z.int().min(1);
const probability = z.number().min(0).max(1);
const symbol = z
  .string()
  .regex(/^[A-Za-z0-9]{1,20}$/, 'expected a symbol such as "BTCUSDT"')
  .transform((text) => text.toUpperCase());
const decimalText = z
  .string({ error: 'expected a decimal string such as "0.010" (quote it in YAML)' })
  .refine((text) => {
    const parsed = tryParseFixed(text);
    return typeof parsed === 'bigint' && parsed > 0n;
  }, 'expected a positive decimal string with at most 8 decimals, such as "0.010" (quote it in YAML)');
const restPath = z.string().regex(/^\/\S*$/, 'expected a request path such as "/fapi/v1/order"');

/** Which requests a REST fault hits, and how often. */
const requestMatch = {
  /** Only the next N matching requests; the fault ends when they are used up. */
  count: count.optional(),
  /** Each matching request is hit with this chance (seeded, so a run is repeatable). */
  probability: probability.optional(),
  durationMs: durationSchema({ positive: true }).optional(),
  /** Exact paths, or a prefix ending in "*" ("/fapi/v1/order*"); default every path. */
  paths: z.array(restPath).min(1).optional(),
  /** Only order mutations (POST/DELETE/PUT on order, batchOrders, allOpenOrders). */
  ordersOnly: z.boolean().optional(),
};

const wsCloseSchema = z.strictObject({
  type: z.literal('ws-close'),
  channel: channel.optional(),
  /** At most this many connections; default all. */
  count: count.optional(),
});

const wsRefuseSchema = z.strictObject({
  type: z.literal('ws-refuse'),
  durationMs: durationSchema({ positive: true }),
  channel: channel.optional(),
});

const wsFreezeSchema = z.strictObject({
  type: z.literal('ws-freeze'),
  /** Stream names ("btcusdt@depth@100ms", "userData", "btcusdt@*"); absent = every stream. */
  streams: z.array(z.string().min(1)).min(1).optional(),
  durationMs: durationSchema({ positive: true }),
});

/**
 * Drops the next `count` depthUpdate diffs of a symbol for every subscriber, so clients see a diff
 * whose `pu` is not the previous `u`: the gap a lost frame or a server hiccup causes (§3.3 rule 5).
 */
const depthGapSchema = z.strictObject({
  type: z.literal('depth-gap'),
  /** Default every symbol. */
  symbol: symbol.optional(),
  /** Diffs to drop (default 1); the fault then ends. */
  count: count.optional(),
});

const restErrorSchema = z
  .strictObject({
    type: z.literal('rest-error'),
    status: z.literal(REST_ERROR_STATUSES),
    variant: z.enum([...SERVICE_UNAVAILABLE_VARIANTS, ...GATEWAY_TIMEOUT_VARIANTS]).optional(),
    /** The request runs, then its reply is replaced: "accepted and filled but reply lost" (§2.7). */
    executed: z.boolean().optional(),
    /** Retry-After header of a 429 or 418 (default 60 and 120). */
    retryAfterSeconds: z
      .int()
      .min(0)
      .max(3 * 24 * 3600)
      .optional(),
    ...requestMatch,
  })
  .superRefine((spec, context) => {
    const variant = spec.variant;
    if (variant !== undefined) {
      const allowed: readonly string[] =
        spec.status === 503 ? SERVICE_UNAVAILABLE_VARIANTS : spec.status === 504 ? GATEWAY_TIMEOUT_VARIANTS : [];
      if (!allowed.includes(variant)) {
        context.addIssue({
          code: 'custom',
          path: ['variant'],
          message:
            allowed.length === 0
              ? `status ${spec.status} takes no variant (variants are for 503 and 504)`
              : `expected one of ${allowed.join(', ')} for status ${spec.status}, got "${variant}"`,
        });
      }
    }
    if (spec.executed === true && !outcomeCanBeUnknown(spec.status, variant)) {
      context.addIssue({
        code: 'custom',
        path: ['executed'],
        message: `status ${spec.status}${variant === undefined ? '' : ` ${variant}`} is a certain failure; executed is only for unknown outcomes (503 unknown, 504, 408, 500)`,
      });
    }
    if (spec.retryAfterSeconds !== undefined && spec.status !== 429 && spec.status !== 418) {
      context.addIssue({
        code: 'custom',
        path: ['retryAfterSeconds'],
        message: 'only a 429 or 418 carries Retry-After',
      });
    }
  });

/** §2.7: 503 "Unknown error", 504, 408 and other 5xx leave the execution status unknown. */
function outcomeCanBeUnknown(status: RestErrorStatus, variant: string | undefined): boolean {
  if (status === 503) return variant === 'unknown';
  return status === 504 || status === 408 || status === 500;
}

const restHangSchema = z.strictObject({ type: z.literal('rest-hang'), ...requestMatch });

const latencySchema = z.strictObject({
  type: z.literal('latency'),
  target: z.enum(['rest', 'ws']),
  fixedMs: durationSchema(),
  /** Uniform extra delay in [0, jitterMs], drawn from the seeded random. */
  jitterMs: durationSchema().optional(),
  durationMs: durationSchema({ positive: true }).optional(),
});

const stuckOrdersSchema = z.strictObject({
  type: z.literal('stuck-orders'),
  symbol: symbol.optional(),
  durationMs: durationSchema({ positive: true }).optional(),
});

const flashCrashSchema = z
  .strictObject({
    type: z.literal('flash-crash'),
    symbol,
    /** Signed percent: -12 is a 12 % fall. */
    movePct: z
      .number()
      .gt(-100, 'a fall must stay above -100 %')
      .max(1000)
      .refine((pct) => pct !== 0, 'expected a non-zero move')
      .refine((pct) => movePctToFraction(pct) !== undefined, 'expected at most 6 decimals'),
    overMs: durationSchema(),
    /** market: trades, book and mark price all move. mark-price-only: a data error on one stream (§7). */
    scope: z.enum(['market', 'mark-price-only']).optional(),
    revertAfterMs: durationSchema({ positive: true }).optional(),
  })
  .superRefine((spec, context) => {
    if (spec.revertAfterMs !== undefined && spec.revertAfterMs < spec.overMs) {
      context.addIssue({
        code: 'custom',
        path: ['revertAfterMs'],
        message: `expected at least overMs (${spec.overMs} ms): the price reverts after the move is complete`,
      });
    }
  });

/** -12 → -0.12 as an exact Fixed; undefined when the percent has more than 6 decimals. */
export function movePctToFraction(movePct: number): Fixed | undefined {
  // String() of a JS number is its shortest round-trip form, i.e. the decimal the person wrote.
  const percent = tryParseFixed(String(movePct));
  if (typeof percent !== 'bigint' || percent % 100n !== 0n) return undefined;
  return percent / 100n;
}

const externalFillSchema = z.strictObject({
  type: z.literal('external-fill'),
  symbol,
  side: z.enum(['BUY', 'SELL']),
  qty: decimalText,
  price: decimalText.optional(),
  /** false: the user stream says nothing, so the engine's position silently diverges (§6). */
  emitEvents: z.boolean().optional(),
});

const maintenanceSchema = z.strictObject({
  type: z.literal('maintenance'),
  durationMs: durationSchema({ positive: true }),
  /** Drop open WS connections when maintenance starts (default true, as Binance does). */
  closeStreams: z.boolean().optional(),
});

const clockSkewSchema = z.strictObject({
  type: z.literal('clock-skew'),
  /** Added to the exchange's clock; negative = the exchange is behind. */
  offsetMs: durationSchema({ signed: true }),
  durationMs: durationSchema({ positive: true }).optional(),
});

export const faultSpecSchema = z.discriminatedUnion(
  'type',
  [
    wsCloseSchema,
    wsRefuseSchema,
    wsFreezeSchema,
    depthGapSchema,
    restErrorSchema,
    restHangSchema,
    latencySchema,
    stuckOrdersSchema,
    flashCrashSchema,
    externalFillSchema,
    maintenanceSchema,
    clockSkewSchema,
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `expected one of ${FAULT_TYPES.join(', ')}`
        : 'expected a fault object such as {"type": "ws-close"}',
  },
);

/** A validated fault: durations in milliseconds, symbols upper-case. */
export type FaultSpec = z.output<typeof faultSpecSchema>;
/** What a person may write (durations as "30s"). */
export type FaultSpecInput = z.input<typeof faultSpecSchema>;
export type FaultSpecOf<T extends FaultType> = Extract<FaultSpec, { type: T }>;

export interface ValidationIssue {
  /** "durationMs", "steps[2].fault.status"; "" for the value itself. */
  readonly path: string;
  readonly message: string;
}

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string; readonly issues: readonly ValidationIssue[] };

export function parseFaultSpec(input: unknown): ParseResult<FaultSpec> {
  const result = faultSpecSchema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const issues = describeIssues(result.error.issues);
  return { ok: false, message: `invalid fault: ${joinIssues(issues)}`, issues };
}

/** Turns zod issues into "field: what was expected" lines; unknown keys are named one by one. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []) {
  const described: ValidationIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        described.push({ path: formatPath([...path, key]), message: 'unknown field for this type' });
      }
    } else {
      described.push({ path: formatPath(path), message: issue.message });
    }
  }
  return described;
}

export function joinIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`)).join('; ');
}

/** ["steps", 2, "fault", "status"] → "steps[2].fault.status". */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}
