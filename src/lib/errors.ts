import type { ContentfulStatusCode } from 'hono/utils/http-status';

type AppErrorOptions = {
  cause?: unknown;
  /** Extra response headers, e.g. `Retry-After` or `WWW-Authenticate`. */
  headers?: Record<string, string>;
  /** Safe, structured detail for clients (validation issues); dropped in production. */
  details?: unknown;
};

/**
 * An error whose status, code and message are fit for the wire. Anything else thrown
 * is treated as a bug: logged in full, answered with a generic 500.
 */
export class AppError extends Error {
  override name = 'AppError';
  readonly headers: Record<string, string>;
  readonly details: unknown;

  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    readonly publicMessage: string,
    options: AppErrorOptions = {},
  ) {
    super(`${code}: ${publicMessage}`, { cause: options.cause });
    this.headers = options.headers ?? {};
    this.details = options.details;
  }
}

export type ErrorBody = {
  error: { code: string; message: string; requestId: string; details?: unknown };
};

export function errorBody(code: string, message: string, requestId: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message, requestId } : { code, message, requestId, details } };
}
