import { apiErrors } from '../api-error.ts';
import type { Endpoint, EndpointContext } from './endpoint.ts';

/**
 * POST/PUT/DELETE /fapi/v1/listenKey (USER_STREAM: API key, no signature; reference §3.4). Futures
 * PUT and DELETE take no parameter: they act on the account's key, which the transport remembers
 * from POST. A `listenKey` parameter, sent by clients written for spot, is honoured too.
 */

function targetKey(context: EndpointContext): string | undefined {
  return context.params.optionalString('listenKey') ?? context.state.listenKey;
}

export const LISTEN_KEY_ENDPOINTS: readonly Endpoint[] = [
  {
    method: 'POST',
    path: '/fapi/v1/listenKey',
    security: 'USER_STREAM',
    weight: 1,
    handle: (context) => {
      const listenKey = context.listenKeys.create();
      context.state.listenKey = listenKey;
      return { listenKey };
    },
  },
  {
    method: 'PUT',
    path: '/fapi/v1/listenKey',
    security: 'USER_STREAM',
    weight: 1,
    handle: (context) => {
      const listenKey = targetKey(context);
      if (listenKey === undefined || !context.listenKeys.keepAlive(listenKey)) throw apiErrors.invalidListenKey();
      return { listenKey };
    },
  },
  {
    method: 'DELETE',
    path: '/fapi/v1/listenKey',
    security: 'USER_STREAM',
    weight: 1,
    handle: (context) => {
      const listenKey = targetKey(context);
      if (listenKey !== undefined) {
        context.listenKeys.close(listenKey);
        if (listenKey === context.state.listenKey) context.state.listenKey = undefined;
      }
      return {};
    },
  },
];
