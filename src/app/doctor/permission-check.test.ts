import { describe, expect, it } from 'vitest';
import { ExchangeError } from '../../domain/exchange-error.ts';
import { checkApiKeyPermissions } from './permission-check.ts';

describe('checkApiKeyPermissions', () => {
  it('the account endpoint refuses the key → fail naming the likely causes', async () => {
    const result = await checkApiKeyPermissions(async () => {
      throw new ExchangeError(
        'EXCHANGE_AUTHENTICATION',
        'GET /fapi/v2/account: -2015 Invalid API-key, IP, or permissions for action',
        {
          endpoint: 'GET /fapi/v2/account',
        },
      );
    });
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('IP not whitelisted');
  });

  it('readable but canTrade false → fail; canTrade true → pass', async () => {
    expect((await checkApiKeyPermissions(async () => ({ canTrade: false }))).status).toBe('fail');
    expect((await checkApiKeyPermissions(async () => ({ canTrade: true, canWithdraw: true }))).status).toBe('pass');
  });
});
