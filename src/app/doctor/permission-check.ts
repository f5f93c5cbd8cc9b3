import { type CheckResult, errorText } from './doctor-check.ts';

/** What Binance USDⓈ-M tells a key about itself: `/fapi/v2/account` (v3 dropped these flags). */
export interface AccountPermissions {
  readonly canTrade: boolean;
  readonly canDeposit?: boolean;
  readonly canWithdraw?: boolean;
}

export type PermissionProbe = () => Promise<AccountPermissions>;

/**
 * API key permissions, as far as the futures API exposes them: a signed account read succeeds only
 * with a valid key and secret, from an allowed IP, with futures enabled on the key; `canTrade` says
 * whether orders may be placed. Not visible on fapi (and not simulated): the key's withdrawal
 * permission and its IP whitelist, which only the spot API's `/sapi/v1/account/apiRestrictions`
 * reports; `canWithdraw` here is the account's transfer-out flag, not the key's.
 */
export async function checkApiKeyPermissions(probe: PermissionProbe): Promise<CheckResult> {
  const name = 'api key permissions';
  let permissions: AccountPermissions;
  try {
    permissions = await probe();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return {
      name,
      status: 'fail',
      detail:
        code === 'EXCHANGE_AUTHENTICATION'
          ? `account endpoint refused the key (${errorText(error)}): wrong key or secret, IP not whitelisted, or futures not enabled on the key`
          : `account endpoint not readable: ${errorText(error)}`,
    };
  }
  if (!permissions.canTrade)
    return { name, status: 'fail', detail: 'account readable but canTrade is false: the key cannot place orders' };
  return {
    name,
    status: 'pass',
    detail:
      'account readable (key, secret, IP and futures permission accepted), canTrade true; the key’s withdrawal permission and IP whitelist are not visible on the futures API',
  };
}
