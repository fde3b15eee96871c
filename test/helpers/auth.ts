import { env } from 'cloudflare:workers';
import type { Role } from '../../src/db/schema';
import { call, ORIGIN, postJson } from './http';
import { linkToken, waitForMail } from './mail';

let counter = 0;

/** A unique, policy-passing identity: storage is shared by all tests in a file. */
export function newIdentity(prefix = 'user') {
  counter += 1;
  const tag = `${prefix}${counter}${crypto.randomUUID().slice(0, 8)}`;
  return { email: `${tag}@example.com`, username: tag, password: 'correct horse battery staple 42' };
}

export type Session = { userId: string; email: string; password: string; accessToken: string; refreshCookie: string };

/** The `__Secure-refresh_token=…` pair from a response, ready for a Cookie header. */
export function refreshCookieOf(res: Response): string {
  const header = res.headers.getSetCookie().find((c) => c.startsWith('__Secure-refresh_token='));
  if (!header) throw new Error('no refresh cookie set');
  return header.split(';')[0] as string;
}

/** Signs up and confirms the address the way a person does: the link from the verification mail. */
export async function register(identity = newIdentity()): Promise<{ id: string } & ReturnType<typeof newIdentity>> {
  const user = await registerUnverified(identity);
  const mail = await waitForMail(identity.email, /Confirm your email/);
  const res = await postJson('/api/v1/auth/email/verify', { token: linkToken(mail, 'verify') });
  if (res.status !== 200) throw new Error(`verify failed: ${res.status} ${await res.text()}`);
  return user;
}

/** Signs up without confirming the address. */
export async function registerUnverified(
  identity = newIdentity(),
): Promise<{ id: string } & ReturnType<typeof newIdentity>> {
  const res = await postJson('/api/v1/auth/register', identity);
  if (res.status !== 202) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  const row = await env.DB.prepare('SELECT id FROM users WHERE email = ?').bind(identity.email).first<{ id: string }>();
  if (!row) throw new Error('registered user not found');
  return { ...identity, id: row.id };
}

export async function login(email: string, password: string): Promise<{ accessToken: string; refreshCookie: string }> {
  const res = await postJson('/api/v1/auth/login', { email, password });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const { accessToken } = (await res.json()) as { accessToken: string };
  return { accessToken, refreshCookie: refreshCookieOf(res) };
}

/** Registers, sets the role directly in D1 (as the admin CLI would), and signs in. */
export async function registerAndLogin(role: Role = 'user', identity = newIdentity(role)): Promise<Session> {
  const user = await register(identity);
  if (role !== 'user') await env.DB.prepare('UPDATE users SET role = ? WHERE id = ?').bind(role, user.id).run();
  const tokens = await login(user.email, user.password);
  return { userId: user.id, email: user.email, password: user.password, ...tokens };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A cookie-endpoint request as our own web client sends it. */
export function cookiePost(path: string, cookie: string, headers: Record<string, string> = {}) {
  return call(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: ORIGIN, Cookie: cookie, ...headers },
    body: '{}',
  });
}
