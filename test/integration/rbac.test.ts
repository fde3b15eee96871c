import { describe, expect, it } from 'vitest';
import type { API_KEY_SCOPES, Role } from '../../src/db/schema';
import { canAny, keyCan, type Permission } from '../../src/modules/auth/permissions';
import { createKey } from '../helpers/api-keys';
import { bearer, registerAndLogin, type Session } from '../helpers/auth';
import { createSite, startGuest, useGuestFakes } from '../helpers/guest';
import { call, callerWith } from '../helpers/http';

/**
 * Every operation in the OpenAPI document must appear here with its decision. A new endpoint
 * without an entry fails the first test, so nobody can add a route without deciding who may call it.
 */
const decisions: Record<string, Permission | Permission[] | 'public'> = {
  'GET /api/v1/health': 'public',
  'GET /.well-known/jwks.json': 'public',
  'POST /api/v1/auth/register': 'public',
  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/refresh': 'public',
  'POST /api/v1/auth/logout': 'public',
  'POST /api/v1/auth/login/link': 'public',
  'POST /api/v1/auth/email/verify': 'public',
  'POST /api/v1/auth/email/resend': 'public',
  'POST /api/v1/auth/password/forgot': 'public',
  'POST /api/v1/auth/password/reset': 'public',
  'POST /api/v1/auth/mfa/verify': 'public',
  // Also reachable without a bearer token, with an enrolment mfaToken (tested in mfa.test.ts).
  'POST /api/v1/auth/mfa/totp/setup': 'self:security',
  'POST /api/v1/auth/mfa/totp/enable': 'self:security',
  'POST /api/v1/auth/mfa/totp/disable': 'self:security',
  'POST /api/v1/auth/mfa/backup-codes': 'self:security',
  'DELETE /api/v1/users/{id}/mfa': 'users:manage',
  // 404 outside a loopback development server (tested in outbox.test.ts).
  'GET /api/v1/dev/outbox': 'public',
  'GET /api/v1/users/me': 'self:read',
  'PATCH /api/v1/users/me': 'self:write',
  'POST /api/v1/users/me/password': 'self:write',
  'GET /api/v1/users/me/sessions': 'self:read',
  'DELETE /api/v1/users/me/sessions': 'self:write',
  'DELETE /api/v1/users/me/sessions/{id}': 'self:write',
  'GET /api/v1/users': 'users:read',
  'GET /api/v1/users/{id}': 'users:read',
  'PATCH /api/v1/users/{id}/role': 'users:manage',
  'PATCH /api/v1/users/{id}/status': 'users:manage',
  'POST /api/v1/users/{id}/unlock': 'users:write',
  'DELETE /api/v1/users/{id}': 'users:manage',
  'GET /api/v1/admin/stats': 'admin:stats',
  'GET /api/v1/chat/config': 'self:read',
  // Account holders and website visitors (guests) alike; each sees only their own conversations.
  'POST /api/v1/chat': ['chat:use', 'chat:guest'],
  'GET /api/v1/conversations': ['chat:use', 'chat:guest'],
  'GET /api/v1/conversations/{id}': ['chat:use', 'chat:guest'],
  'DELETE /api/v1/conversations/{id}': ['chat:use', 'chat:guest'],
  // Human handoff: the customer asks (their own conversation only); operators (moderators, admins) run the inbox.
  'POST /api/v1/conversations/{id}/handoff': ['chat:use', 'chat:guest'],
  'GET /api/v1/inbox': 'inbox:operate',
  'GET /api/v1/inbox/conversations/{id}': 'inbox:operate',
  'POST /api/v1/conversations/{id}/claim': 'inbox:operate',
  'POST /api/v1/conversations/{id}/messages': 'inbox:operate',
  'POST /api/v1/conversations/{id}/resolve': 'inbox:operate',
  'POST /api/v1/conversations/{id}/release': 'inbox:operate',
  // The customer's address for a reply when nobody came (owner only: tested in handoff/contact.test.ts).
  'POST /api/v1/conversations/{id}/contact': ['chat:use', 'chat:guest'],
  'GET /v1/models': 'chat:use',
  'POST /v1/chat/completions': 'chat:use',
  // Public, but content:write callers also see drafts (tested in faqs.test.ts).
  'GET /api/v1/faqs': 'public',
  'GET /api/v1/faqs/{id}': 'public',
  'POST /api/v1/faqs': 'content:write',
  'PATCH /api/v1/faqs/{id}': 'content:write',
  'DELETE /api/v1/faqs/{id}': 'content:delete',
  'POST /api/v1/documents': 'content:write',
  'GET /api/v1/documents': 'content:write',
  'GET /api/v1/documents/{id}': 'content:write',
  'PATCH /api/v1/documents/{id}': 'content:write',
  'DELETE /api/v1/documents/{id}': 'content:delete',
  // Published documents are what answers cite: anyone who may chat reads them (drafts: editors, in manage.test.ts).
  'GET /api/v1/documents/{id}/content': ['chat:use', 'chat:guest'],
  'PUT /api/v1/documents/{id}/content': 'content:write',
  'POST /api/v1/api-keys': 'keys:manage',
  'GET /api/v1/api-keys': 'keys:manage',
  'GET /api/v1/api-keys/{id}': 'keys:manage',
  'PATCH /api/v1/api-keys/{id}': 'keys:manage',
  'DELETE /api/v1/api-keys/{id}': 'keys:manage',
  'POST /api/v1/api-keys/{id}/rotate': 'keys:manage',
  'GET /api/v1/admin/api-keys': 'keys:admin',
  'GET /v1/key': 'chat:use',
  'GET /api/v1/sites': 'sites:read',
  'GET /api/v1/sites/{id}': 'sites:read',
  'POST /api/v1/sites': 'sites:manage',
  'PATCH /api/v1/sites/{id}': 'sites:manage',
  'DELETE /api/v1/sites/{id}': 'sites:manage',
  'POST /api/v1/sites/{id}/identity-secret': 'sites:manage',
  'GET /api/v1/sites/{id}/conversations': 'sites:read',
  'GET /api/v1/sites/{id}/conversations/{conversationId}': 'sites:read',
  // Anyone with a Turnstile token (the widget frame) / a visitor token; tested in guest-sessions.test.ts.
  'POST /api/v1/guest/sessions': 'public',
  'POST /api/v1/guest/sessions/renew': 'public',
  // The widget's frame page; who may frame it is tested in widget.test.ts.
  'GET /widget/frame': 'public',
  // Live channels: tickets for signed-in browsers; the sockets authenticate with the ticket (live-tickets.test.ts).
  'POST /api/v1/conversations/{id}/live-ticket': ['chat:use', 'chat:guest'],
  'POST /api/v1/inbox/live-ticket': 'inbox:operate',
  'GET /api/v1/live/conversations/{id}': 'public',
  'GET /api/v1/live/inbox': 'public',
};

/** Operations for browsers only: an API key is refused whatever its scopes. */
const noKeys = new Set(['POST /api/v1/conversations/{id}/live-ticket', 'POST /api/v1/inbox/live-ticket']);

/** Bodies that pass validation, so a 400 can never mask a missing permission check. */
const bodies: Record<string, unknown> = {
  'POST /api/v1/chat': { message: 'What is the weather like on Mars?', stream: false },
  'POST /v1/chat/completions': { model: 'support-fast', messages: [{ role: 'user', content: 'Tell me about Mars' }] },
  'PATCH /api/v1/users/me': { fullName: 'Role Walker' },
  'POST /api/v1/users/me/password': {
    currentPassword: 'wrong but valid input',
    newPassword: 'another long passphrase 9',
  },
  'PATCH /api/v1/users/{id}/role': { role: 'viewer' },
  'PATCH /api/v1/users/{id}/status': { isActive: true },
  'POST /api/v1/faqs': { question: 'Do you deliver on Sundays?', answer: 'Yes, from 7:00 to 22:00.' },
  'PATCH /api/v1/faqs/{id}': { published: true },
  'PATCH /api/v1/documents/{id}': { published: true },
  'POST /api/v1/auth/mfa/totp/enable': { code: '123456' },
  'POST /api/v1/auth/mfa/totp/disable': { password: 'wrong but valid input', code: '123456' },
  'POST /api/v1/auth/mfa/backup-codes': { code: '123456' },
  'POST /api/v1/api-keys': { name: 'rbac walker' },
  'PATCH /api/v1/api-keys/{id}': { name: 'renamed' },
  'POST /api/v1/api-keys/{id}/rotate': { graceSeconds: 0 },
  'POST /api/v1/sites': { name: 'RBAC site', allowedOrigins: ['https://rbac.example'] },
  'PATCH /api/v1/sites/{id}': { name: 'Renamed' },
  'POST /api/v1/conversations/{id}/contact': { email: 'rbac@example.com' },
};

const ROLES: Role[] = ['viewer', 'user', 'moderator', 'admin'];
// Each session walks every protected operation within a minute: more than the default per-user limit allows.
const walk = callerWith({ RATE_LIMIT_USER: '1000/1m' });
const allowed = (role: Role | 'guest', decision: Permission | Permission[]) =>
  canAny(role, typeof decision === 'string' ? [decision] : decision);

describe('RBAC', () => {
  it('has a decision for every documented operation', async () => {
    const doc = (await (await call('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(Object.keys(decisions).sort());
  });

  it('documents a bearer requirement exactly on the protected operations', async () => {
    const doc = (await (await call('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    for (const [key, decision] of Object.entries(decisions)) {
      const [method, path] = key.split(' ') as [string, string];
      const op = doc.paths[path]?.[method.toLowerCase()];
      expect(Boolean(op?.security?.length), key).toBe(decision !== 'public');
    }
  });

  it('allows and denies every role, and guests, on every protected endpoint as the matrix says', {
    timeout: 30_000,
  }, async () => {
    useGuestFakes();
    const sessions = {} as Record<Role | 'guest', Pick<Session, 'accessToken'>>;
    for (const role of ROLES) sessions[role] = await registerAndLogin(role);
    // A website visitor's guest token goes through the same matrix.
    sessions.guest = await startGuest((await createSite()).site.id);
    const victim = await registerAndLogin('viewer');

    for (const [key, decision] of Object.entries(decisions)) {
      if (decision === 'public') continue;
      const [method, template] = key.split(' ') as [string, string];
      const path = template.replace('{id}', victim.userId);
      for (const role of [...ROLES, 'guest'] as const) {
        const headers: Record<string, string> = bearer(sessions[role].accessToken);
        const body = bodies[key] ?? (method === 'POST' ? {} : undefined);
        if (body !== undefined) headers['Content-Type'] = 'application/json';
        const init: RequestInit = { method, headers };
        if (body !== undefined) init.body = JSON.stringify(body);
        // Deleting the victim user would change what the later checks see; those DELETEs run last.
        if (key === 'DELETE /api/v1/users/{id}' && allowed(role, decision)) continue;
        const res = await walk(path, init);
        const label = `${role} ${key} → ${res.status}`;
        if (allowed(role, decision)) expect(res.status, label).not.toBe(403);
        else expect(res.status, label).toBe(403);
        expect(res.status, label).not.toBe(401);
      }
    }
    // The allowed DELETEs, each on its own victim.
    for (const role of ROLES.filter((r) => allowed(r, 'users:manage'))) {
      const target = await registerAndLogin('viewer');
      const res = await walk(`/api/v1/users/${target.userId}`, {
        method: 'DELETE',
        headers: bearer(sessions[role].accessToken),
      });
      expect(res.status).toBe(204);
    }
  });

  it('allows an API key only what its scopes grant within its owner’s role, on every protected endpoint', {
    timeout: 30_000,
  }, async () => {
    useGuestFakes();
    const victim = await registerAndLogin('viewer');
    const grants: (typeof API_KEY_SCOPES)[number][][] = [['chat:use'], ['chat:use', 'content:read', 'content:write']];
    for (const scopes of grants) {
      // An owner per key: both keys' requests would otherwise share one owner's per-user limit.
      const admin = await registerAndLogin('admin');
      const { key } = await createKey(admin, { scopes, requestsPerMinute: 1000 });
      for (const [op, decision] of Object.entries(decisions)) {
        if (decision === 'public') continue;
        const [method, template] = op.split(' ') as [string, string];
        const headers: Record<string, string> = { 'X-API-Key': key };
        const body = bodies[op] ?? (method === 'POST' ? {} : undefined);
        if (body !== undefined) headers['Content-Type'] = 'application/json';
        const init: RequestInit = { method, headers };
        if (body !== undefined) init.body = JSON.stringify(body);
        const res = await walk(template.replace('{id}', victim.userId), init);
        const label = `key[${scopes.join(' ')}] ${op} → ${res.status}`;
        const keyAllowed =
          !noKeys.has(op) &&
          (typeof decision === 'string' ? [decision] : decision).some((p) => keyCan('admin', scopes, p));
        if (keyAllowed) expect(res.status, label).not.toBe(403);
        else expect(res.status, label).toBe(403);
        expect(res.status, label).not.toBe(401);
      }
    }
  });
});
