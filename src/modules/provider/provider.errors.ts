import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError } from '../../lib/errors';

export type ProviderErrorCode =
  | 'UPSTREAM_BUSY'
  | 'UPSTREAM_ERROR'
  | 'ASSISTANT_UNAVAILABLE'
  | 'UPSTREAM_REJECTED'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_STREAM_CUT';

type Wording = { status: ContentfulStatusCode; message: string };

/**
 * What a client is told, per code. The upstream's own text never reaches a client or a log: it can
 * carry key fragments ("Your api key: ****abcd") and wording we do not control.
 */
const wording: Record<ProviderErrorCode, Wording> = {
  UPSTREAM_BUSY: { status: 503, message: 'Our systems are busy. Please try again in a minute.' },
  UPSTREAM_ERROR: { status: 502, message: "We're experiencing technical difficulties. Please try again shortly." },
  ASSISTANT_UNAVAILABLE: { status: 503, message: 'The assistant is temporarily unavailable.' },
  UPSTREAM_REJECTED: { status: 502, message: 'The assistant could not process this request.' },
  UPSTREAM_TIMEOUT: { status: 504, message: 'The assistant took too long to answer. Please try again.' },
  UPSTREAM_STREAM_CUT: { status: 502, message: 'The answer was interrupted. Please try again.' },
};

type ProviderErrorOptions = {
  /** HTTP status DeepSeek answered with, when it answered. */
  upstreamStatus?: number;
  /** Overrides the code's default suggested status (429 stays 429 so clients back off). */
  status?: ContentfulStatusCode;
  cause?: unknown;
};

/**
 * A failure of the model provider, already in our words. It is an `AppError`, so a route may simply
 * throw it before streaming starts; once an SSE response has begun, write `code` and `publicMessage`
 * as an error event instead.
 */
export class ProviderError extends AppError {
  override name = 'ProviderError';
  declare readonly code: ProviderErrorCode;
  readonly upstreamStatus: number | undefined;
  /**
   * Our account or key is at fault (bad key, no balance): nothing a user can fix, so callers log it
   * at error level and alert the operator.
   */
  readonly operatorProblem: boolean;

  constructor(code: ProviderErrorCode, options: ProviderErrorOptions = {}) {
    const { status, message } = wording[code];
    const busy = code === 'UPSTREAM_BUSY';
    super(options.status ?? status, code, message, {
      cause: options.cause,
      // Busy is the one failure worth retrying by itself; say when.
      headers: busy ? { 'Retry-After': '60' } : {},
    });
    this.upstreamStatus = options.upstreamStatus;
    this.operatorProblem = code === 'ASSISTANT_UNAVAILABLE';
  }
}

/** DeepSeek's documented statuses in our terms; anything else from upstream is a generic upstream error. */
export function providerErrorForStatus(upstreamStatus: number): ProviderError {
  switch (upstreamStatus) {
    case 429:
      return new ProviderError('UPSTREAM_BUSY', { upstreamStatus, status: 429 });
    case 503:
      return new ProviderError('UPSTREAM_BUSY', { upstreamStatus });
    case 401:
    case 402:
      return new ProviderError('ASSISTANT_UNAVAILABLE', { upstreamStatus });
    case 400:
    case 422:
      return new ProviderError('UPSTREAM_REJECTED', { upstreamStatus });
    default:
      return new ProviderError('UPSTREAM_ERROR', { upstreamStatus });
  }
}

/** Statuses that mean "try again shortly" rather than "this request is wrong". */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 503;
}
