import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import worker from '../../src/index';
import { registerAndLogin } from '../helpers/auth';
import { captureLogs, linesWith } from '../helpers/logs';

const DAY = 86_400_000;
const run = (sql: string, ...params: unknown[]) =>
  env.DB.prepare(sql)
    .bind(...params)
    .run();
const exists = async (table: string, id: string) =>
  (await env.DB.prepare(`SELECT 1 AS one FROM ${table} WHERE id = ?`).bind(id).first()) !== null;

it('purges old guest chats, expired visitors, tokens and sessions, and old audit events — and logs the run', async () => {
  const now = Date.now();
  const user = await registerAndLogin('user');
  await run(
    "INSERT INTO sites (id, name, allowed_origins, guest_messages_per_minute, guest_messages_per_day, guest_ip_messages_per_day, guest_tokens_per_day, identity_secret) VALUES ('site-r', 'r', '[]', 5, 50, 200, 1000, 'sis_x')",
  );
  const visitor = (id: string, expiresAt: number) =>
    run(
      'INSERT INTO visitors (id, site_id, token_hash, expires_at) VALUES (?, ?, ?, ?)',
      id,
      'site-r',
      `hash-${id}`,
      expiresAt,
    );
  await visitor('v-live', now + DAY);
  await visitor('v-expired-empty', now - DAY);
  await visitor('v-expired-recent-chat', now - DAY);
  const conversation = (id: string, owner: { user?: string; visitor?: string }, updatedAt: number) =>
    run(
      'INSERT INTO conversations (id, user_id, visitor_id, site_id, title, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      id,
      owner.user ?? null,
      owner.visitor ?? null,
      owner.visitor ? 'site-r' : null,
      't',
      updatedAt,
    );
  await conversation('c-guest-old', { visitor: 'v-live' }, now - 31 * DAY);
  await conversation('c-guest-new', { visitor: 'v-live' }, now - 29 * DAY);
  await conversation('c-guest-expired-visitor', { visitor: 'v-expired-recent-chat' }, now - DAY);
  await conversation('c-user-old', { user: user.userId }, now - 400 * DAY);
  await run("INSERT INTO messages (id, conversation_id, role, content) VALUES ('m-old', 'c-guest-old', 'user', 'hi')");
  const token = (id: string, expiresAt: number) =>
    run(
      'INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at) VALUES (?, ?, ?, ?, ?)',
      id,
      user.userId,
      `fam-${id}`,
      `th-${id}`,
      expiresAt,
    );
  await token('rt-expired', now - 1000);
  await token('rt-live', now + DAY);
  await run(
    'INSERT INTO sessions (id, user_id, expires_at) VALUES (?, ?, ?)',
    'fam-rt-expired',
    user.userId,
    now - 1000,
  );
  await run(
    "INSERT INTO audit_events (id, action, outcome, created_at) VALUES ('a-old', 'login', 'success', ?)",
    now - 366 * DAY,
  );
  await run(
    "INSERT INTO audit_events (id, action, outcome, created_at) VALUES ('a-new', 'login', 'success', ?)",
    now - 364 * DAY,
  );

  const link = (id: string, expiresAt: number, usedAt: number | null) =>
    run(
      "INSERT INTO account_tokens (id, user_id, purpose, token_hash, expires_at, used_at) VALUES (?, ?, 'verify_email', ?, ?, ?)",
      id,
      user.userId,
      `lh-${id}`,
      expiresAt,
      usedAt,
    );
  await link('l-expired', now - 1000, null);
  await link('l-used', now + DAY, now - 1000);
  await link('l-live', now + DAY, null);

  const logs = captureLogs();
  const ctx = createExecutionContext();
  worker.scheduled(createScheduledController({ scheduledTime: now, cron: '17 3 * * *' }), env, ctx);
  await waitOnExecutionContext(ctx);

  expect(await exists('account_tokens', 'l-expired')).toBe(false);
  expect(await exists('account_tokens', 'l-used')).toBe(false);
  expect(await exists('account_tokens', 'l-live')).toBe(true);
  expect(await exists('conversations', 'c-guest-old')).toBe(false);
  expect(await exists('messages', 'm-old')).toBe(false);
  expect(await exists('conversations', 'c-guest-new')).toBe(true);
  expect(await exists('conversations', 'c-guest-expired-visitor')).toBe(true);
  expect(await exists('conversations', 'c-user-old')).toBe(true);
  expect(await exists('visitors', 'v-live')).toBe(true);
  expect(await exists('visitors', 'v-expired-empty')).toBe(false);
  expect(await exists('visitors', 'v-expired-recent-chat')).toBe(true);
  expect(await exists('refresh_tokens', 'rt-expired')).toBe(false);
  expect(await exists('refresh_tokens', 'rt-live')).toBe(true);
  expect(await exists('sessions', 'fam-rt-expired')).toBe(false);
  expect(await exists('audit_events', 'a-old')).toBe(false);
  expect(await exists('audit_events', 'a-new')).toBe(true);
  const [line] = linesWith(logs, 'retention run');
  expect(line).toMatchObject({ level: 'info', guestConversations: 1, visitors: 1, refreshTokens: 1, auditEvents: 1 });
});
