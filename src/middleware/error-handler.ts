import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ConfigError } from '../lib/config-error';
import { errorDetail } from '../lib/error-detail';
import { AppError, errorBody } from '../lib/errors';
import { log } from '../lib/logger';
import type { AppEnv } from '../lib/types';

/** Public wording for the statuses Hono's own middleware may raise. */
const httpExceptionCodes: Partial<Record<number, [code: string, message: string]>> = {
  400: ['BAD_REQUEST', 'The request could not be read. Send valid JSON.'],
  401: ['UNAUTHORIZED', 'Authentication is required.'],
  403: ['FORBIDDEN', 'You do not have access to this resource.'],
  404: ['NOT_FOUND', 'The requested resource was not found.'],
  413: ['PAYLOAD_TOO_LARGE', 'The request body is too large.'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.'],
};

const requestIdOf = (c: Context<AppEnv>) => c.get('requestId') ?? 'unknown';

const openAITypes: [number, string][] = [
  [500, 'server_error'],
  [429, 'rate_limit_error'],
  [403, 'permission_error'],
  [401, 'authentication_error'],
  [0, 'invalid_request_error'],
];

/**
 * Our envelope, plus `type` and `param` on the OpenAI-compatible paths, where clients (the
 * official SDK among them) expect OpenAI's error shape.
 */
function respond(
  c: Context<AppEnv>,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  headers: Record<string, string> = {},
  details?: unknown,
) {
  const body = errorBody(code, message, requestIdOf(c), details);
  if (c.req.path.startsWith('/v1/')) {
    const type = openAITypes.find(([floor]) => status >= floor)?.[1] ?? 'invalid_request_error';
    return c.json({ error: { ...body.error, type, param: null } }, status, headers);
  }
  return c.json(body, status, headers);
}

/**
 * The single place where failures become responses. Only `AppError` chooses its own words;
 * anything unexpected is logged with its stack and answered with a generic 500.
 */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  const requestId = requestIdOf(c);

  if (err instanceof AppError) {
    if (err.status >= 500) {
      log('error', 'app error', {
        requestId,
        code: err.code,
        cause: err.cause === undefined ? undefined : errorDetail(err.cause).error,
      });
    }
    // Validation details help developers; production keeps its answers terse.
    const details = c.get('config')?.isProduction ? undefined : err.details;
    return respond(c, err.status, err.code, err.publicMessage, err.headers, details);
  }

  if (err instanceof HTTPException && err.status < 500) {
    const [code, message] = httpExceptionCodes[err.status] ?? ['BAD_REQUEST', 'The request is not valid.'];
    return respond(c, err.status as ContentfulStatusCode, code, message);
  }

  const kind = err instanceof ConfigError ? 'configuration error' : 'unhandled error';
  log('error', kind, { requestId, route: c.req.routePath, ...errorDetail(err) });
  return respond(c, 500, 'INTERNAL_ERROR', 'Something went wrong on our side. Please try again later.');
};

/**
 * Unmatched requests: 405 with `Allow` when the path exists under other methods, else 404.
 * `allowedMethods` is built from the app's routes once they are all registered.
 */
export function notFoundHandler(allowedMethods: (path: string) => string[]): NotFoundHandler<AppEnv> {
  return (c) => {
    const allow = allowedMethods(c.req.path);
    if (allow.length > 0) {
      return respond(c, 405, 'METHOD_NOT_ALLOWED', `Use ${allow.join(', ')} for this resource.`, {
        Allow: allow.join(', '),
      });
    }
    return respond(c, 404, 'NOT_FOUND', 'The requested resource was not found.');
  };
}
