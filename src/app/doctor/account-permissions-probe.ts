import { z } from 'zod';
import { RestTransport } from '../../adapters/binance-usdm/rest/rest-transport.ts';
import type { Clock } from '../../lib/clock.ts';
import type { AccountPermissions, PermissionProbe } from './permission-check.ts';

const permissionsSchema = z.object({
  canTrade: z.boolean(),
  canDeposit: z.boolean().optional(),
  canWithdraw: z.boolean().optional(),
});

/**
 * Reads the permission flags from `/fapi/v2/account` (signed, weight 5). The engine's client reads
 * `/fapi/v3/account`, which no longer carries them, so the doctor asks v2 through the adapter's own
 * transport (signing, server-time offset, typed errors) rather than a second signing routine.
 */
export function accountPermissionsProbe(options: {
  readonly clock: Clock;
  readonly endpoint: string;
  readonly credentials: { readonly apiKey: string; readonly apiSecret: string };
  readonly timeoutMs: number;
  readonly recvWindowMs: number;
}): PermissionProbe {
  return async (): Promise<AccountPermissions> => {
    const transport = new RestTransport({
      clock: options.clock,
      endpoints: [options.endpoint],
      credentials: options.credentials,
      timeoutMs: options.timeoutMs,
      recvWindowMs: options.recvWindowMs,
      limiterShare: 0.8,
    });
    try {
      await transport.syncTime('start');
      const body = await transport.send({
        method: 'GET',
        path: '/fapi/v2/account',
        query: '',
        security: 'signed',
        cost: { weight: 5, orders10s: 0, orders1m: 0 },
        endpointClass: 'account',
        mutation: false,
      });
      const parsed = permissionsSchema.parse(body);
      return {
        canTrade: parsed.canTrade,
        ...(parsed.canDeposit !== undefined && { canDeposit: parsed.canDeposit }),
        ...(parsed.canWithdraw !== undefined && { canWithdraw: parsed.canWithdraw }),
      };
    } finally {
      await transport.close();
    }
  };
}
