import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { createRoute, z } from '@hono/zod-openapi';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/app';
import { call, ORIGIN, postJson, readError } from '../helpers/http';

/** The real app plus two routes that exist only here: one that validates JSON, one that crashes. */
function appWithTestRoutes() {
  const app = createApp();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/test/echo',
      request: {
        body: {
          required: true,
          content: { 'application/json': { schema: z.object({ name: z.string().max(5) }).strict() } },
        },
      },
      responses: { 200: { description: 'ok' } },
    }),
    (c) => c.json(c.req.valid('json'), 200),
  );
  app.get('/api/v1/test/boom', () => {
    throw new Error('database password is hunter2 at /src/secret/file.ts');
  });
  return (path: string, init?: RequestInit) =>
    app.fetch(new Request(`${ORIGIN}${path}`, init), env, createExecutionContext());
}

describe('error envelope', () => {
  it('answers an unknown path with 404 NOT_FOUND', async () => {
    const res = await call('/api/v1/does-not-exist');
    expect(res.status).toBe(404);
    expect((await readError(res)).code).toBe('NOT_FOUND');
  });

  it('answers a wrong method on a known path with 405 and Allow', async () => {
    const res = await call('/api/v1/health', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe('GET, HEAD');
    expect((await readError(res)).code).toBe('METHOD_NOT_ALLOWED');
  });

  it('answers a trailing-slash variant of a route with 404 (routing is strict), not a misleading 405', async () => {
    const res = await call('/api/v1/health/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(404);
  });

  it('answers a body over the limit with 413, by Content-Length', async () => {
    const res = await postJson('/api/v1/health', JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }));
    expect(res.status).toBe(413);
    expect((await readError(res)).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers a streamed body over the limit with 413 (no Content-Length to trust)', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    const body = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const send = appWithTestRoutes();
    const res = await send('/api/v1/test/echo', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    expect(res.status).toBe(413);
  });

  it('answers malformed JSON with 400', async () => {
    const send = appWithTestRoutes();
    const res = await send('/api/v1/test/echo', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"name":',
    });
    expect(res.status).toBe(400);
    expect((await readError(res)).code).toBe('BAD_REQUEST');
  });

  it('answers a non-JSON body with 415', async () => {
    const send = appWithTestRoutes();
    const res = await send('/api/v1/test/echo', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'name=a',
    });
    expect(res.status).toBe(415);
    expect((await readError(res)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers invalid and unknown fields with 400 VALIDATION_ERROR and details outside production', async () => {
    const send = appWithTestRoutes();
    const res = await send('/api/v1/test/echo', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'far too long', isAdmin: true }),
    });
    expect(res.status).toBe(400);
    const error = await readError(res);
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(JSON.stringify(error.details)).toContain('name');
  });

  it('turns an unexpected exception into a generic 500 that leaks nothing, and logs it with the request id', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const send = appWithTestRoutes();
    const res = await send('/api/v1/test/boom', { headers: { 'X-Request-ID': 'trace-500' } });
    expect(res.status).toBe(500);
    const text = await res.clone().text();
    expect(text).not.toMatch(/hunter2|secret|file\.ts|at \/|Error:/);
    const error = await readError(res);
    expect(error).toEqual({ code: 'INTERNAL_ERROR', message: expect.any(String), requestId: 'trace-500' });
    const line = logged.mock.calls.map(([first]) => String(first)).find((l) => l.includes('trace-500'));
    expect(line).toBeDefined();
    expect(JSON.parse(line as string)).toMatchObject({
      level: 'error',
      requestId: 'trace-500',
      stack: expect.stringContaining('hunter2'),
    });
  });
});

describe('request id', () => {
  it('generates one when the caller sends none', async () => {
    const res = await call('/api/v1/health');
    expect(res.headers.get('X-Request-ID')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('echoes a sane incoming one', async () => {
    const res = await call('/api/v1/health', { headers: { 'X-Request-ID': 'abc-123_DEF' } });
    expect(res.headers.get('X-Request-ID')).toBe('abc-123_DEF');
  });

  it('replaces one that is too long or carries odd characters', async () => {
    for (const bad of ['a'.repeat(200), 'evil"<script>', 'line\tbreak']) {
      const res = await call('/api/v1/health', { headers: { 'X-Request-ID': bad } });
      expect(res.headers.get('X-Request-ID')).not.toBe(bad);
      expect(res.headers.get('X-Request-ID')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('access log', () => {
  it('writes one JSON line per request with route, status and duration, and no headers or bodies', async () => {
    const logged = vi.spyOn(console, 'log').mockImplementation(() => {});
    await call('/api/v1/health', { headers: { 'X-Request-ID': 'log-me', 'X-Secret': 'secret-token' } });
    // A bad token is refused even on a public route; it never reaches a log line either.
    await call('/api/v1/health', { headers: { 'X-Request-ID': 'log-me-2', Authorization: 'Bearer secret-token' } });
    const lines = logged.mock.calls.map(([first]) => JSON.parse(String(first)) as Record<string, unknown>);
    const entry = lines.find((l) => l.requestId === 'log-me');
    expect(entry).toMatchObject({ msg: 'request', method: 'GET', route: '/api/v1/health', status: 200 });
    expect(lines.find((l) => l.requestId === 'log-me-2')).toMatchObject({ msg: 'request', status: 401 });
    expect(typeof entry?.durationMs).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('secret-token');
  });
});
