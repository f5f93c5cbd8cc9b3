import { describe, expect, it } from 'vitest';
import { classifyStream } from './stream-names.ts';
import { parseStreamRoute } from './stream-route.ts';

describe('parseStreamRoute', () => {
  it('/market/ws/<s1>/<s2> → market, raw, both streams', () => {
    expect(parseStreamRoute('/market/ws/btcusdt@aggTrade/ethusdt@markPrice@1s')).toEqual({
      channel: 'market',
      legacy: false,
      combined: false,
      streams: ['btcusdt@aggTrade', 'ethusdt@markPrice@1s'],
      userKeys: [],
    });
  });

  it('/public/stream?streams=a/b → public, combined', () => {
    expect(parseStreamRoute('/public/stream?streams=btcusdt@depth@100ms/btcusdt@bookTicker')).toMatchObject({
      channel: 'public',
      combined: true,
      streams: ['btcusdt@depth@100ms', 'btcusdt@bookTicker'],
    });
  });

  it('legacy /ws/<s> and /stream?streams= → public channel flagged legacy', () => {
    expect(parseStreamRoute('/ws/btcusdt@markPrice')).toMatchObject({ channel: 'public', legacy: true });
    expect(parseStreamRoute('/stream?streams=btcusdt@aggTrade')).toMatchObject({
      channel: 'public',
      legacy: true,
      combined: true,
    });
  });

  it('bare /market/ws → no streams yet', () => {
    expect(parseStreamRoute('/market/ws')).toMatchObject({ channel: 'market', streams: [] });
  });

  it('/private/ws?listenKey=K&events=A/B → the key with its allow-list', () => {
    const route = parseStreamRoute('/private/ws?listenKey=K1&events=ORDER_TRADE_UPDATE/listenKeyExpired');
    expect(route?.userKeys).toEqual([{ listenKey: 'K1', events: new Set(['ORDER_TRADE_UPDATE', 'listenKeyExpired']) }]);
  });

  it('/private/ws/<K> → the key, every event', () => {
    expect(parseStreamRoute('/private/ws/K1')?.userKeys).toEqual([{ listenKey: 'K1', events: undefined }]);
  });

  it('/private/stream with two key/events pairs → each key keeps its own events', () => {
    const route = parseStreamRoute('/private/stream?listenKey=K1&events=ACCOUNT_UPDATE&listenKey=K2');
    expect(route?.combined).toBe(true);
    expect(route?.userKeys).toEqual([
      { listenKey: 'K1', events: new Set(['ACCOUNT_UPDATE']) },
      { listenKey: 'K2', events: undefined },
    ]);
  });

  it.each(['/', '/foo/ws', '/market', '/market/stream/x', '/wss/btcusdt@aggTrade'])('%s → undefined (404)', (path) => {
    expect(parseStreamRoute(path)).toBeUndefined();
  });
});

describe('classifyStream', () => {
  it.each([
    ['btcusdt@bookTicker', 'btcusdt@bookTicker', 'public'],
    ['btcusdt@depth', 'btcusdt@depth', 'public'],
    ['btcusdt@depth@100ms', 'btcusdt@depth@100ms', 'public'],
    ['btcusdt@depth5@500ms', 'btcusdt@depth5@500ms', 'public'],
    ['btcusdt@depth20', 'btcusdt@depth20', 'public'],
    ['!bookTicker', '!bookTicker', 'public'],
    ['btcusdt@aggTrade', 'btcusdt@aggTrade', 'market'],
    ['BTCUSDT@aggtrade', 'btcusdt@aggTrade', 'market'],
    ['btcusdt@markPrice', 'btcusdt@markPrice', 'market'],
    ['btcusdt@markPrice@1s', 'btcusdt@markPrice@1s', 'market'],
    ['btcusdt@kline_1m', 'btcusdt@kline_1m', 'market'],
    ['btcusdt@kline_1M', 'btcusdt@kline_1M', 'market'],
  ])('%s → %s on /%s', (given, name, channel) => {
    expect(classifyStream(given)).toEqual({ name, channel });
  });

  it.each(['0', 'btcusdt', 'btcusdt@depth7', 'btcusdt@kline_1s', '@aggTrade', 'btc usdt@aggTrade'])(
    '%s → unknown (accepted, never delivered)',
    (given) => {
      expect(classifyStream(given)).toBeUndefined();
    },
  );
});
