/**
 * The one error base of yunmin: a stable `code` that alerts, metrics and tests key on, and an
 * optional `cause`. Message text is for people and may change; codes may not.
 */
export class YunminError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'YunminError';
    this.code = code;
  }
}
