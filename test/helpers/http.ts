import { exports } from 'cloudflare:workers';

export const ORIGIN = 'http://localhost:8787';

/** Sends a request through the real Worker entry point (the same path production traffic takes). */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`${ORIGIN}${path}`, init));
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
