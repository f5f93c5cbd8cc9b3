import WebSocket from 'ws';
import type { Clock } from '../../lib/clock.ts';
import { YunminError } from '../../lib/yunmin-error.ts';
import type { WsProbe, WsProbeResult } from './ws-check.ts';

/** The real WsProbe: a `ws` socket, timed on the clock, closed whatever happens. */
export function webSocketProbe(clock: Clock, timeoutMs: number): WsProbe {
  return (url) =>
    new Promise<WsProbeResult>((resolve, reject) => {
      const startedAt = clock.now();
      let openedAt: number | undefined;
      const socket = new WebSocket(url, { handshakeTimeout: timeoutMs });
      const finish = (outcome: () => void) => {
        clock.clearTimer(timer);
        socket.removeAllListeners();
        socket.on('error', () => {});
        socket.terminate();
        outcome();
      };
      const timer = clock.setTimeout(
        () =>
          finish(() =>
            reject(
              new YunminError(
                'DOCTOR_WS_TIMEOUT',
                openedAt === undefined
                  ? `no connection within ${timeoutMs} ms`
                  : `connected, but no message within ${timeoutMs} ms (a silent stream)`,
              ),
            ),
          ),
        timeoutMs,
      );
      socket.on('open', () => {
        openedAt = clock.now();
      });
      socket.on('message', () => {
        const now = clock.now();
        const opened = openedAt ?? now;
        finish(() => resolve({ connectMs: opened - startedAt, firstMessageMs: now - opened }));
      });
      socket.on('unexpected-response', (_request, response) =>
        finish(() => reject(new YunminError('DOCTOR_WS_REFUSED', `handshake answered HTTP ${response.statusCode}`))),
      );
      socket.on('error', (error) => finish(() => reject(error)));
      socket.on('close', (code) =>
        finish(() => reject(new YunminError('DOCTOR_WS_CLOSED', `closed (${code}) before the first message`))),
      );
    });
}
