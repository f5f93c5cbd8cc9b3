import { describe, expect, it } from 'vitest';
import { parseControlFrame, renderControlError } from './control-frames.ts';

describe('parseControlFrame', () => {
  it('SUBSCRIBE with stream names → the command', () => {
    expect(parseControlFrame('{"method":"SUBSCRIBE","params":["btcusdt@aggTrade"],"id":1}')).toEqual({
      method: 'SUBSCRIBE',
      id: 1,
      params: ['btcusdt@aggTrade'],
    });
  });

  it('LIST_SUBSCRIPTIONS without id → id null', () => {
    expect(parseControlFrame('{"method":"LIST_SUBSCRIPTIONS"}')).toEqual({ method: 'LIST_SUBSCRIPTIONS', id: null });
  });

  it.each([
    ['not json', 3, null],
    ['[1,2]', 2, null],
    ['{"params":[],"id":4}', 2, 4],
    ['{"method":"FROB","id":5}', 2, 5],
    ['{"method":"SUBSCRIBE","params":"btcusdt@aggTrade","id":6}', 2, 6],
    ['{"method":"SUBSCRIBE","params":[1],"id":7}', 2, 7],
    ['{"method":"SUBSCRIBE","params":["a"],"id":-1}', 2, null],
    ['{"method":"SET_PROPERTY","params":["combined","yes"],"id":8}', 1, 8],
    ['{"method":"SET_PROPERTY","params":["speed",true],"id":9}', 0, 9],
    ['{"method":"GET_PROPERTY","params":["other"],"id":10}', 0, 10],
  ])('%s → error code %i with id %s', (text, code, id) => {
    const result = parseControlFrame(text);
    expect(result).toMatchObject({ method: 'ERROR', code, id });
  });

  it('SET_PROPERTY combined true → the flag', () => {
    expect(parseControlFrame('{"method":"SET_PROPERTY","params":["combined",true],"id":2}')).toEqual({
      method: 'SET_PROPERTY',
      id: 2,
      combined: true,
    });
  });

  it('an error → Binance error object with the request id', () => {
    const failure = parseControlFrame('{"method":"FROB","id":5}');
    if (failure.method !== 'ERROR') throw new Error('expected an error');
    expect(JSON.parse(renderControlError(failure))).toEqual({
      error: { code: 2, msg: expect.stringContaining('Invalid request') },
      id: 5,
    });
  });
});
