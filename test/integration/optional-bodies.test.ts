import { describe, expect, it } from 'vitest';
import { bearer, refreshCookieOf, registerAndLogin } from '../helpers/auth';
import { call, callerWith, ORIGIN, readError } from '../helpers/http';

type Operation = { requestBody?: { required?: boolean; content?: Record<string, unknown> } };
type OpenApiDocument = { paths: Record<string, Record<string, Operation>> };

const UUID = '00000000-0000-4000-8000-000000000000';
const bodyErrors = new Set(['BAD_REQUEST', 'VALIDATION_ERROR']);

// One admin walks every operation within a minute: more than the default per-user limit allows.
const send = callerWith({ RATE_LIMIT_USER: '1000/1m' });

/** A request as a client reading the document would send it: JSON announced, nothing after it. */
function emptyJson(method: string, path: string, headers: Record<string, string>) {
  return send(path, {
    method: method.toUpperCase(),
    headers: { 'Content-Type': 'application/json', Origin: ORIGIN, ...headers },
  });
}

async function operations() {
  const doc = (await (await call('/openapi.json')).json()) as OpenApiDocument;
  return Object.entries(doc.paths).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method,
      path: template.replaceAll(/\{[^}]+\}/g, UUID),
      bodyRequired: op.requestBody?.required === true,
      // Uploads declare multipart/form-data, the one non-JSON body (documents.md).
      multipart: Object.keys(op.requestBody?.content ?? {}).includes('multipart/form-data'),
    })),
  );
}

describe('request bodies as the OpenAPI document declares them', { timeout: 30_000 }, () => {
  it('accepts an empty JSON body wherever the body is not required, and refuses it where it is', async () => {
    const admin = await registerAndLogin('admin');
    const ops = await operations();
    expect(ops.some((op) => op.path === '/api/v1/auth/refresh' && !op.bodyRequired)).toBe(true);
    // Sign-out last: it ends the session the others are sent with.
    ops.sort((a, b) => Number(a.path.endsWith('/logout')) - Number(b.path.endsWith('/logout')));
    for (const op of ops) {
      const res = await emptyJson(op.method, op.path, { ...bearer(admin.accessToken), Cookie: admin.refreshCookie });
      const label = `${op.method.toUpperCase()} ${op.path} → ${res.status}`;
      if (op.multipart) {
        expect(res.status, label).toBe(op.path.endsWith('/content') ? 404 : 415);
        await res.body?.cancel();
      } else if (op.bodyRequired) {
        expect(res.status, label).toBe(400);
        expect((await readError(res)).code, label).toBe('VALIDATION_ERROR');
      } else if (res.status === 400) {
        expect(bodyErrors.has((await readError(res)).code), label).toBe(false);
      } else {
        await res.body?.cancel();
      }
    }
  });

  it('rotates the refresh token on an empty-body refresh', async () => {
    const session = await registerAndLogin();
    const res = await emptyJson('post', '/api/v1/auth/refresh', { Cookie: session.refreshCookie });
    expect(res.status).toBe(200);
    const { accessToken } = (await res.json()) as { accessToken: string };
    expect(refreshCookieOf(res)).not.toBe(session.refreshCookie);
    expect((await call('/api/v1/users/me', { headers: bearer(accessToken) })).status).toBe(200);
    const replay = await emptyJson('post', '/api/v1/auth/refresh', { Cookie: session.refreshCookie });
    expect(replay.status).toBe(401);
  });

  it('signs out on an empty-body logout', async () => {
    const session = await registerAndLogin();
    const res = await emptyJson('post', '/api/v1/auth/logout', { Cookie: session.refreshCookie });
    expect(res.status).toBe(204);
    const after = await emptyJson('post', '/api/v1/auth/refresh', { Cookie: session.refreshCookie });
    expect(after.status).toBe(401);
  });

  it('still answers 400 to a body that is there but not JSON', async () => {
    const session = await registerAndLogin();
    const res = await call('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: ORIGIN, Cookie: session.refreshCookie },
      body: '{',
    });
    expect(res.status).toBe(400);
    expect((await readError(res)).code).toBe('BAD_REQUEST');
  });
});
