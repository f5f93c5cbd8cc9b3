import WebSocket from 'ws';

/**
 * The few socket operations a stream connection needs, so its timers and state machine can be unit
 * tested with a fake socket on a TestClock, and run on a real `ws` socket in production.
 */
export interface StreamSocket {
  send(text: string): void;
  ping(payload: string): void;
  /** A graceful close frame. */
  close(code: number, reason: string): void;
  /** An abrupt cut (dead link, abandoned attempt). */
  terminate(): void;
}

export interface StreamSocketEvents {
  onOpen(): void;
  onText(text: string): void;
  onPong(payload: string): void;
  /**
   * The upgrade was answered with plain HTTP (Binance: 503 while refusing connections, 400 with a
   * -1125 body for a listenKey that no longer exists). `onClose` follows.
   */
  onRejected(status: number, body: string): void;
  /** Exactly once per socket, whatever ended it (refusal, error, close frame, terminate). */
  onClose(code: number, reason: string): void;
}

export type StreamSocketFactory = (url: string, events: StreamSocketEvents) => StreamSocket;

/** Enough of a refusal body to recognise a Binance error code; the rest is noise. */
const MAX_REJECTION_BODY = 4_096;

/** The production factory: a `ws` client socket. */
export const openWsSocket: StreamSocketFactory = (url, events) => {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  let closed = false;
  const closeOnce = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    events.onClose(code, reason);
  };

  socket.on('open', () => events.onOpen());
  socket.on('message', (data, isBinary) => {
    // Binance sends text frames only; a binary frame is decoded anyway and left to the parser to refuse.
    events.onText(isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data));
  });
  socket.on('pong', (data) => events.onPong(data.toString('utf8')));
  socket.on('unexpected-response', (request, response) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      if (body.length < MAX_REJECTION_BODY) body += chunk;
    });
    const finish = () => {
      events.onRejected(response.statusCode ?? 0, body.slice(0, MAX_REJECTION_BODY));
      request.destroy();
      closeOnce(1006, `upgrade refused with HTTP ${response.statusCode ?? 0}`);
    };
    response.once('end', finish);
    response.once('error', finish);
  });
  // Errors always end in 'close' (ws guarantees it); the listener only keeps them from being thrown.
  socket.on('error', () => undefined);
  socket.on('close', (code, reason) => closeOnce(code, reason.toString('utf8')));

  return {
    send(text) {
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
    },
    ping(payload) {
      if (socket.readyState === WebSocket.OPEN) socket.ping(payload);
    },
    close(code, reason) {
      if (socket.readyState === WebSocket.OPEN) socket.close(code, reason);
      else socket.terminate();
    },
    terminate() {
      socket.terminate();
      // A socket still in its handshake may never emit 'close' after terminate: report it ourselves.
      closeOnce(1006, 'terminated');
    },
  };
};
