import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { createApp } from '../../src/app';
import { uniqueIp } from './logs';

export const ORIGIN = 'http://localhost:8787';

/**
 * Sends a request through the real Worker entry point (the same path production traffic takes).
 * Each request comes from its own client address unless the test sets `CF-Connecting-IP`, so the
 * per-IP rate limits only bite in the tests that are about them.
 */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  const request = new Request(`${ORIGIN}${path}`, init);
  if (!request.headers.has('CF-Connecting-IP')) request.headers.set('CF-Connecting-IP', uniqueIp());
  return exports.default.fetch(request);
}

/** Like `call`, through a fresh app with some variables changed; waits for its `waitUntil` work. */
export function callerWith(overrides: Record<string, string>) {
  const app = createApp();
  const appEnv = { ...env, ...overrides };
  return async (path: string, init: RequestInit = {}) => {
    const request = new Request(`${ORIGIN}${path}`, init);
    if (!request.headers.has('CF-Connecting-IP')) request.headers.set('CF-Connecting-IP', uniqueIp());
    const ctx = createExecutionContext();
    const res = await app.fetch(request, appEnv, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
}

export function postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return call(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

type ErrorEnvelope = { error: { code: string; message: string; requestId: string; details?: unknown } };

/** Asserts the standard error envelope and returns it. */
export async function readError(res: Response): Promise<ErrorEnvelope['error']> {
  const text = await res.text();
  const body = JSON.parse(text) as ErrorEnvelope;
  if (!body.error || typeof body.error.code !== 'string' || typeof body.error.message !== 'string') {
    throw new Error(`Not an error envelope: ${text}`);
  }
  if (body.error.requestId !== res.headers.get('X-Request-ID')) {
    throw new Error('error.requestId does not match the X-Request-ID header');
  }
  return body.error;
}
