import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../lib/types';

const writeMethods = new Set(['POST', 'PUT', 'PATCH']);

/**
 * A JSON write with no body at all reads as `{}`. The document marks some bodies optional
 * (refresh, logout), yet the validator parses whatever a JSON content type announces, and an
 * empty string is not JSON: without this, "optional" would answer 400. Required bodies still
 * fail, on their missing fields (none of their schemas accepts `{}`). It runs before anything
 * reads the body (the login limiter looks for the email), since Hono caches the first read.
 */
export const emptyJsonBody = () =>
  createMiddleware<AppEnv>(async function emptyJsonBody(c, next) {
    if (writeMethods.has(c.req.method) && isJson(c.req.header('Content-Type')) && hasNoBody(c.req.raw)) {
      c.req.raw = new Request(c.req.raw, { body: '{}' });
    }
    await next();
  });

const isJson = (type: string | undefined) => type?.split(';')[0]?.trim().toLowerCase() === 'application/json';

/** By its framing alone: reading the stream to find out would buffer bodies before any auth ran. */
const hasNoBody = (req: Request) => req.body === null || req.headers.get('Content-Length') === '0';
