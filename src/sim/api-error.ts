/**
 * A Binance-style API failure: HTTP status plus the `{code, msg}` body Binance sends
 * (reference/binance-usdm.md §2.6). Every simulator module throws these; the REST layer renders
 * them and the WS layer answers control frames with them. "Codes are universal, messages can vary":
 * the messages below are Binance's own where the docs give them.
 */
export class ApiError extends Error {
  readonly httpStatus: number;
  readonly code: number;
  readonly msg: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(httpStatus: number, code: number, msg: string, headers: Readonly<Record<string, string>> = {}) {
    super(`${code} ${msg}`);
    this.name = 'ApiError';
    this.httpStatus = httpStatus;
    this.code = code;
    this.msg = msg;
    this.headers = headers;
  }

  toBody(): { code: number; msg: string } {
    return { code: this.code, msg: this.msg };
  }
}

/** The catalogue: one constructor per Binance error the simulator reproduces. */
export const apiErrors = {
  unknown: (msg = 'An unknown error occured while processing the request.') => new ApiError(500, -1000, msg),
  tooManyRequests: (limit: number, retryAfterSeconds: number) =>
    new ApiError(
      429,
      -1003,
      `Too many requests; current limit is ${limit} requests per minute. Please use the websocket for live updates to avoid polling the API.`,
      { 'retry-after': String(retryAfterSeconds) },
    ),
  ipBanned: (untilMs: number, retryAfterSeconds: number) =>
    new ApiError(
      418,
      -1003,
      `Way too many requests; IP banned until ${untilMs}. Please use the websocket for live updates to avoid bans.`,
      { 'retry-after': String(retryAfterSeconds) },
    ),
  tooManyOrders: (limit: number, interval: string, retryAfterSeconds: number) =>
    new ApiError(429, -1015, `Too many new orders; current limit is ${limit} orders per ${interval}.`, {
      'retry-after': String(retryAfterSeconds),
    }),
  timestampAhead: () => new ApiError(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  timestampOutside: () => new ApiError(400, -1021, 'Timestamp for this request is outside of the recvWindow.'),
  invalidSignature: () => new ApiError(400, -1022, 'Signature for this request is not valid.'),
  illegalChars: (param: string) =>
    new ApiError(
      400,
      -1100,
      `Illegal characters found in parameter '${param}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`,
    ),
  tooManyParams: () => new ApiError(400, -1101, 'Too many parameters sent for this endpoint.'),
  mandatoryParam: (param: string) =>
    new ApiError(400, -1102, `Mandatory parameter '${param}' was not sent, was empty/null, or malformed.`),
  unknownParam: () => new ApiError(400, -1103, 'An unknown parameter was sent.'),
  unreadParams: (count: number) =>
    new ApiError(400, -1104, `Not all sent parameters were read; read ${count} parameter(s) but was sent more.`),
  paramEmpty: (param: string) => new ApiError(400, -1105, `Parameter '${param}' was empty.`),
  paramNotRequired: (param: string) => new ApiError(400, -1106, `Parameter '${param}' sent when not required.`),
  badPrecision: () => new ApiError(400, -1111, 'Precision is over the maximum defined for this asset.'),
  invalidTimeInForce: () => new ApiError(400, -1115, 'Invalid timeInForce.'),
  invalidOrderType: () => new ApiError(400, -1116, 'Invalid orderType.'),
  invalidSide: () => new ApiError(400, -1117, 'Invalid side.'),
  badSymbol: () => new ApiError(400, -1121, 'Invalid symbol.'),
  invalidListenKey: () =>
    new ApiError(400, -1125, 'This listenKey does not exist. Please use POST /fapi/v1/listenKey to recreate listenKey'),
  invalidParameter: (param: string, detail = 'invalid') =>
    new ApiError(400, -1130, `Data sent for parameter '${param}' is not valid: ${detail}.`),
  cancelRejected: () => new ApiError(400, -2011, 'Unknown order sent.'),
  noSuchOrder: () => new ApiError(400, -2013, 'Order does not exist.'),
  badApiKeyFormat: () => new ApiError(401, -2014, 'API-key format invalid.'),
  rejectedApiKey: () => new ApiError(401, -2015, 'Invalid API-key, IP, or permissions for action.'),
  marginInsufficient: () => new ApiError(400, -2019, 'Margin is insufficient.'),
  reduceOnlyRejected: () => new ApiError(400, -2022, 'ReduceOnly Order is rejected.'),
  maxOpenOrders: () => new ApiError(400, -2025, 'Reach max open order limit.'),
  priceBelowMin: () => new ApiError(400, -4013, 'Price less than min price.'),
  priceAboveMax: () => new ApiError(400, -4002, 'Price greater than max price.'),
  priceNotTick: () => new ApiError(400, -4014, 'Price not increased by tick size.'),
  qtyBelowMin: () => new ApiError(400, -4004, 'Quantity less than min quantity.'),
  qtyAboveMax: () => new ApiError(400, -4005, 'Quantity greater than max quantity.'),
  invalidClientOrderId: () => new ApiError(400, -4015, 'Client order id is not valid.'),
  priceAboveMultiplierUp: (limit: string) => new ApiError(400, -4016, `Limit price can't be higher than ${limit}.`),
  qtyNotStep: () => new ApiError(400, -4023, 'Quantity not increased by step size.'),
  priceBelowMultiplierDown: (limit: string) => new ApiError(400, -4024, `Limit price can't be lower than ${limit}.`),
  leverageInvalid: () => new ApiError(400, -4028, 'Leverage is not valid'),
  duplicateClientOrderId: () => new ApiError(400, -4116, 'ClientOrderId is duplicated.'),
  conditionalMovedToAlgo: () =>
    new ApiError(
      400,
      -4120,
      'Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.',
    ),
  minNotional: (notional: string) =>
    new ApiError(400, -4164, `Order's notional must be no smaller than ${notional} (unless you choose reduce only).`),
  fokRejected: () =>
    new ApiError(
      400,
      -5021,
      'Due to the order could not be filled immediately, the FOK order has been rejected. The order will not be recorded in the order history',
    ),
  gtxRejected: () =>
    new ApiError(
      400,
      -5022,
      'Due to the order could not be executed as maker, the Post Only order will be rejected. The order will not be recorded in the order history',
    ),
} as const;
