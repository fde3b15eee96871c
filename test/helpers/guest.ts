import { vi } from 'vitest';
import { createFakeDeepSeek, type FakeDeepSeekOptions } from '../../scripts/fake-deepseek/handler.mjs';
import { createFakeTurnstile, DUMMY_TOKEN } from '../../scripts/fake-turnstile/handler.mjs';
import { bearer, registerAndLogin } from './auth';
import { FAKE_UPSTREAM } from './chat';
import { postJson } from './http';

/** Where wrangler.toml points TURNSTILE_VERIFY_URL for development and tests. */
export const FAKE_SITEVERIFY = 'http://127.0.0.1:8789/turnstile/v0/siteverify';

export { DUMMY_TOKEN };

/**
 * Routes the Worker's outbound calls to the fake siteverify and the fake DeepSeek, at the network
 * boundary (global fetch); every other destination still fails the test.
 */
export function useGuestFakes(
  options: { turnstile?: { hostname?: string; action?: string }; deepseek?: FakeDeepSeekOptions } = {},
) {
  const turnstile = createFakeTurnstile(options.turnstile);
  const deepseek = createFakeDeepSeek(options.deepseek ?? {});
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (request.url === FAKE_SITEVERIFY) return turnstile.fetch(request);
    if (request.url.startsWith(`${FAKE_UPSTREAM}/`)) return deepseek.fetch(request);
    throw new Error(`Unexpected outbound fetch in a test: ${request.url}`);
  });
  return { turnstile, deepseek };
}

export type SiteCreated = {
  site: { id: string; embedSnippet: string } & Record<string, unknown>;
  identitySecret: string;
};

let admin: Promise<string> | undefined;
/** One admin per test file (storage is per file), made once. */
export const adminToken = () => {
  admin ??= registerAndLogin('admin').then((s) => s.accessToken);
  return admin;
};

export async function createSite(overrides: Record<string, unknown> = {}): Promise<SiteCreated> {
  const res = await postJson(
    '/api/v1/sites',
    { name: 'Test shop', allowedOrigins: ['http://127.0.0.1:9000'], ...overrides },
    bearer(await adminToken()),
  );
  if (res.status !== 201) throw new Error(`site create failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as SiteCreated;
}

export type GuestSession = {
  accessToken: string;
  visitorId: string;
  visitorToken: string;
  expiresIn: number;
  identified: boolean;
};

export async function startGuest(
  siteId: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const res = await postJson('/api/v1/guest/sessions', { siteId, turnstileToken: DUMMY_TOKEN, ...extra }, headers);
  if (res.status !== 201) throw new Error(`guest session failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as GuestSession;
}

/** HMAC-SHA256 hex of `id|email|expires`, as a site's own server signs a customer's identity. */
export async function signIdentity(secret: string, id: string, email: string, expires: number) {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${id}|${email}|${expires}`));
  const signature = [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return { id, email, expires, signature };
}
