import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../src/modules/auth/api-key-secret';
import { type ApiKeyView, callWithKey, createKey, revoke, rotate, withKey } from '../../helpers/api-keys';
import { bearer, registerAndLogin } from '../../helpers/auth';
import { useFakeDeepSeek } from '../../helpers/chat';
import { call, callerWith, postJson, readError } from '../../helpers/http';
import { captureLogs, linesWith } from '../../helpers/logs';

type Row = Record<string, unknown>;

const models = (key: string) => callWithKey('/v1/models', key);

async function auditRows(action: string, targetId: string) {
  const { results } = await env.DB.prepare('SELECT * FROM audit_events WHERE action = ? AND target_id = ?')
    .bind(action, targetId)
    .all<Row>();
  return results;
}

/** The 401 a refused key gets, without the parts that differ per request. */
async function refusal(res: Response) {
  expect(res.status).toBe(401);
  const { code, message } = await readError(res);
  return { code, message, challenge: res.headers.get('WWW-Authenticate') };
}

describe('API keys: the credential', () => {
  it('creates a key shown once (sk_test_ + 256 random bits, base62) and stores only its hash, prefix and last 4', async () => {
    const owner = await registerAndLogin();
    const { key, apiKey } = await createKey(owner, { name: 'billing backend' });
    expect(key).toMatch(/^sk_test_[0-9A-Za-z]{43}$/);
    expect(apiKey).toMatchObject({ name: 'billing backend', scopes: ['chat:use'], prefix: key.slice(0, 12) });
    expect(apiKey.last4).toBe(key.slice(-4));
    const row = await env.DB.prepare('SELECT * FROM api_keys WHERE id = ?').bind(apiKey.id).first<Row>();
    expect(row?.secret_hash).toBe(await hashApiKey(key));
    expect(JSON.stringify(row)).not.toContain(key.slice(12, -4));
    const listed = await call('/api/v1/api-keys', { headers: bearer(owner.accessToken) });
    const text = await listed.text();
    expect(text).toContain(apiKey.id);
    expect(text).not.toContain(key);
  });

  it('accepts a key as X-API-Key and as Authorization: Bearer sk_… on /v1 and /api/v1', async () => {
    const owner = await registerAndLogin();
    const { key } = await createKey(owner);
    expect((await models(key)).status).toBe(200);
    expect((await call('/v1/models', { headers: bearer(key) })).status).toBe(200);
    expect((await callWithKey('/api/v1/conversations', key)).status).toBe(200);
  });

  it('refuses unknown, malformed, revoked and expired keys with the same 401', async () => {
    const owner = await registerAndLogin();
    const revoked = await createKey(owner);
    expect((await revoke(owner, revoked.apiKey.id)).status).toBe(204);
    const expired = await createKey(owner);
    await env.DB.prepare('UPDATE api_keys SET expires_at = ? WHERE id = ?')
      .bind(Date.now() - 1000, expired.apiKey.id)
      .run();
    const unknown = `sk_test_${'A'.repeat(43)}`;
    const answers = [
      await refusal(await models(unknown)),
      await refusal(await models('sk_test_short')),
      await refusal(await models(`${revoked.key}x`)),
      await refusal(await models(revoked.key)),
      await refusal(await models(expired.key)),
      await refusal(await call('/v1/models', { headers: bearer(expired.key) })),
    ];
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]?.code).toBe('UNAUTHORIZED');
    // The expired key's use is audited (the others name no key of ours, or one already audited as revoked).
    expect(await auditRows('api_key_expired_use', expired.apiKey.id)).toHaveLength(1);
  });

  it('refuses a request carrying both an API key and an access token', async () => {
    const owner = await registerAndLogin();
    const { key } = await createKey(owner);
    const res = await call('/v1/models', { headers: { ...withKey(key), ...bearer(owner.accessToken) } });
    expect(res.status).toBe(400);
    expect((await readError(res)).code).toBe('AMBIGUOUS_CREDENTIALS');
  });

  it('revokes at once, even a key this isolate has just verified and cached', async () => {
    const owner = await registerAndLogin();
    const { key, apiKey } = await createKey(owner);
    expect((await models(key)).status).toBe(200);
    expect((await revoke(owner, apiKey.id)).status).toBe(204);
    expect((await models(key)).status).toBe(401);
    expect(await auditRows('api_key_revoke', apiKey.id)).toHaveLength(1);
  });

  it('fails at once when its owner is deactivated or deleted', async () => {
    const admin = await registerAndLogin('admin');
    const owner = await registerAndLogin();
    const { key } = await createKey(owner);
    expect((await models(key)).status).toBe(200);
    const off = await call(`/api/v1/users/${owner.userId}/status`, {
      method: 'PATCH',
      headers: { ...bearer(admin.accessToken), 'Content-Type': 'application/json' },
      body: JSON.stringify({ isActive: false }),
    });
    expect(off.status).toBe(200);
    expect((await models(key)).status).toBe(401);

    const other = await registerAndLogin();
    const second = await createKey(other);
    expect((await models(second.key)).status).toBe(200);
    const gone = await call(`/api/v1/users/${other.userId}`, { method: 'DELETE', headers: bearer(admin.accessToken) });
    expect(gone.status).toBe(204);
    expect((await models(second.key)).status).toBe(401);
  });

  it('loses what its owner loses: a demoted moderator’s content:write key stops writing at once', async () => {
    const admin = await registerAndLogin('admin');
    const moderator = await registerAndLogin('moderator');
    const { key } = await createKey(moderator, { scopes: ['chat:use', 'content:write'] });
    const faq = { question: 'Do you ship to islands?', answer: 'Yes, twice a week.' };
    expect((await postJson('/api/v1/faqs', faq, withKey(key))).status).toBe(201);
    const demoted = await call(`/api/v1/users/${moderator.userId}/role`, {
      method: 'PATCH',
      headers: { ...bearer(admin.accessToken), 'Content-Type': 'application/json' },
      body: JSON.stringify({ role: 'user' }),
    });
    expect(demoted.status).toBe(200);
    expect((await postJson('/api/v1/faqs', faq, withKey(key))).status).toBe(403);
    // What the user role still grants goes on working.
    expect((await models(key)).status).toBe(200);
  });

  it('grants only the scopes the owner’s role has, never account or key management', async () => {
    const user = await registerAndLogin();
    const denied = await postJson(
      '/api/v1/api-keys',
      { name: 'x', scopes: ['content:write'] },
      bearer(user.accessToken),
    );
    expect(denied.status).toBe(400);
    expect((await readError(denied)).code).toBe('SCOPE_NOT_ALLOWED');
    const manage = await postJson('/api/v1/api-keys', { name: 'x', scopes: ['keys:manage'] }, bearer(user.accessToken));
    expect(manage.status).toBe(400);

    const admin = await registerAndLogin('admin');
    const { key } = await createKey(admin, { scopes: ['chat:use', 'content:read', 'content:write'] });
    expect((await callWithKey('/api/v1/users', key)).status).toBe(403);
    expect((await callWithKey('/api/v1/admin/stats', key)).status).toBe(403);
    expect((await callWithKey('/api/v1/users/me', key)).status).toBe(403);
    expect((await postJson('/api/v1/api-keys', { name: 'y' }, withKey(key))).status).toBe(403);
  });

  it('limits a key to its models', async () => {
    useFakeDeepSeek();
    const moderator = await registerAndLogin('moderator');
    const { key } = await createKey(moderator, { models: ['support-fast'] });
    const listed = (await (await models(key)).json()) as { data: { id: string }[] };
    expect(listed.data.map((m) => m.id)).toEqual(['support-fast']);
    const res = await postJson(
      '/v1/chat/completions',
      { model: 'support-thinking', messages: [{ role: 'user', content: 'hello there' }] },
      withKey(key),
    );
    expect(res.status).toBe(400);
    expect((await readError(res)).code).toBe('MODEL_NOT_AVAILABLE');
    const user = await registerAndLogin();
    const wrong = await postJson(
      '/api/v1/api-keys',
      { name: 'x', models: ['support-thinking'] },
      bearer(user.accessToken),
    );
    expect((await readError(wrong)).code).toBe('MODEL_NOT_AVAILABLE');
  });

  it('caps the live keys a user holds', async () => {
    const send = callerWith({ API_KEY_MAX_PER_USER: '2' });
    const owner = await registerAndLogin();
    const create = () =>
      send('/api/v1/api-keys', {
        method: 'POST',
        headers: { ...bearer(owner.accessToken), 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'k' }),
      });
    const made = await Promise.all([create(), create(), create()]);
    expect(made.map((r) => r.status).sort()).toEqual([201, 201, 409]);
    const refused = made.find((r) => r.status === 409) as Response;
    expect((await readError(refused)).code).toBe('API_KEY_LIMIT_REACHED');
    const first = (await (made.find((r) => r.status === 201) as Response).json()) as { apiKey: ApiKeyView };
    expect((await revoke(owner, first.apiKey.id)).status).toBe(204);
    expect((await create()).status).toBe(201);
  });
});

describe('API keys: rotation', () => {
  it('with grace 0 ends the old secret at once and the new one works under the same id', async () => {
    const owner = await registerAndLogin();
    const { key, apiKey } = await createKey(owner);
    expect((await models(key)).status).toBe(200);
    const res = await rotate(owner, apiKey.id, 0);
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as { key: string; apiKey: ApiKeyView };
    expect(rotated.apiKey.id).toBe(apiKey.id);
    expect(rotated.key).not.toBe(key);
    expect((await models(key)).status).toBe(401);
    expect((await models(rotated.key)).status).toBe(200);
    expect(await auditRows('api_key_rotate', apiKey.id)).toHaveLength(1);
  });

  it('keeps the old secret working for its grace period and not a second longer', async () => {
    const owner = await registerAndLogin();
    const { key, apiKey } = await createKey(owner);
    expect((await models(key)).status).toBe(200);
    const rotated = (await (await rotate(owner, apiKey.id, 2)).json()) as { key: string; apiKey: ApiKeyView };
    const graceEnds = Date.parse(rotated.apiKey.previousSecretExpiresAt ?? '');
    expect(graceEnds).toBeGreaterThan(Date.now());
    expect((await models(key)).status).toBe(200);
    expect((await models(rotated.key)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, graceEnds - Date.now()) + 20));
    expect((await models(key)).status).toBe(401);
    expect((await models(rotated.key)).status).toBe(200);
  });

  it('holds one previous secret: a second rotation ends the first old secret at once', async () => {
    const owner = await registerAndLogin();
    const first = await createKey(owner);
    const second = (await (await rotate(owner, first.apiKey.id, 3600)).json()) as { key: string };
    expect((await models(first.key)).status).toBe(200);
    const third = (await (await rotate(owner, first.apiKey.id, 3600)).json()) as { key: string };
    expect((await models(first.key)).status).toBe(401);
    expect((await models(second.key)).status).toBe(200);
    expect((await models(third.key)).status).toBe(200);
  });

  it('refuses a grace over a day', async () => {
    const owner = await registerAndLogin();
    const { apiKey } = await createKey(owner);
    expect((await rotate(owner, apiKey.id, 86_401)).status).toBe(400);
  });
});

describe('API keys: owners and admins', () => {
  it('shows a key to its owner and admins only; admins list and revoke anyone’s', async () => {
    const owner = await registerAndLogin();
    const stranger = await registerAndLogin();
    const admin = await registerAndLogin('admin');
    const { key, apiKey } = await createKey(owner);
    const path = `/api/v1/api-keys/${apiKey.id}`;
    expect((await call(path, { headers: bearer(stranger.accessToken) })).status).toBe(404);
    expect((await call(path, { method: 'DELETE', headers: bearer(stranger.accessToken) })).status).toBe(404);
    expect((await call(path, { headers: bearer(admin.accessToken) })).status).toBe(200);
    const all = await call(`/api/v1/admin/api-keys?userId=${owner.userId}`, { headers: bearer(admin.accessToken) });
    const page = (await all.json()) as { items: (ApiKeyView & { owner: { id: string } })[]; total: number };
    expect(page.items.map((k) => [k.id, k.owner.id])).toEqual([[apiKey.id, owner.userId]]);
    expect((await call('/api/v1/admin/api-keys', { headers: bearer(owner.accessToken) })).status).toBe(403);
    expect((await call(path, { method: 'DELETE', headers: bearer(admin.accessToken) })).status).toBe(204);
    expect((await models(key)).status).toBe(401);
    const [audited] = await auditRows('api_key_revoke', apiKey.id);
    expect(audited?.actor_id).toBe(admin.userId);
  });

  it('edits limits and scopes with effect from the key’s next request', async () => {
    const owner = await registerAndLogin();
    const { key, apiKey } = await createKey(owner, { scopes: ['chat:use', 'content:read'] });
    expect((await callWithKey('/api/v1/conversations', key)).status).toBe(200);
    const patched = await call(`/api/v1/api-keys/${apiKey.id}`, {
      method: 'PATCH',
      headers: { ...bearer(owner.accessToken), 'Content-Type': 'application/json' },
      body: JSON.stringify({ scopes: ['content:read'], requestsPerMinute: 7 }),
    });
    expect(patched.status).toBe(200);
    expect((await callWithKey('/api/v1/conversations', key)).status).toBe(403);
    const faqs = await callWithKey('/api/v1/faqs', key);
    expect(faqs.status).toBe(200);
    expect(faqs.headers.get('X-RateLimit-Limit')).toBe('7');
  });
});

describe('API keys: limits, logs and usage', () => {
  it('answers with the key’s own rate-limit headers, and past its requests per minute with 429 KEY_RATE_LIMITED', async () => {
    const owner = await registerAndLogin();
    const { key, apiKey } = await createKey(owner, { requestsPerMinute: 2 });
    const first = await models(key);
    expect(first.headers.get('X-RateLimit-Limit')).toBe('2');
    expect(first.headers.get('X-RateLimit-Remaining')).toBe('1');
    expect((await models(key)).status).toBe(200);
    const refused = await models(key);
    expect(refused.status).toBe(429);
    expect((await readError(refused)).code).toBe('KEY_RATE_LIMITED');
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(refused.headers.get('X-RateLimit-Limit')).toBe('2');
    await models(key);
    // Audited, once per minute of refusals rather than once per refused request.
    expect(await auditRows('api_key_refused', apiKey.id)).toHaveLength(1);
    // The owner's own requests are not the key's: their token still passes.
    expect((await call('/v1/models', { headers: bearer(owner.accessToken) })).status).toBe(200);
  });

  it('puts the key id in the access log and never the key', async () => {
    const lines = captureLogs();
    const owner = await registerAndLogin();
    const { key, apiKey } = await createKey(owner);
    await models(key);
    await models(`${key.slice(0, -1)}0`);
    const requests = linesWith(lines, 'request').filter((line) => line.path === '/v1/models');
    expect(requests.find((line) => line.status === 200)).toMatchObject({ apiKeyId: apiKey.id, userId: owner.userId });
    expect(lines.join('\n')).not.toContain(key.slice(8, -4));
  });

  it('counts usage in the owner’s admission object and writes it to D1 in batches, not per request', async () => {
    const owner = await registerAndLogin();
    const { key, apiKey } = await createKey(owner, { requestsPerMinute: 3 });
    for (let i = 0; i < 4; i++) await models(key);
    const before = await env.DB.prepare('SELECT * FROM api_key_usage_daily WHERE key_id = ?').bind(apiKey.id).all();
    expect(before.results).toHaveLength(0);
    const listed = await call('/api/v1/api-keys', { headers: bearer(owner.accessToken) });
    const { items } = (await listed.json()) as { items: ApiKeyView[] };
    expect(items[0]?.usageToday).toMatchObject({ requests: 3, refusals: 1 });
    expect(items[0]?.lastUsedAt).not.toBeNull();
  });

  it('lets a key read its own limits, budget left and expiry at GET /v1/key', async () => {
    const owner = await registerAndLogin();
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const { key, apiKey } = await createKey(owner, {
      dailyTokenBudget: 5000,
      requestsPerMinute: 30,
      tokensPerMinute: 2000,
      expiresAt,
    });
    const res = await callWithKey('/v1/key', key);
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: Row };
    expect(data).toMatchObject({
      id: apiKey.id,
      label: `${apiKey.prefix}…${apiKey.last4}`,
      limit: 5000,
      usage: 0,
      limit_remaining: 5000,
      rate_limit: { requests: 30, interval: '1m' },
      tokens_per_minute: 2000,
      expires_at: expiresAt,
    });
    const withToken = await call('/v1/key', { headers: bearer(owner.accessToken) });
    expect(withToken.status).toBe(400);
    expect((await readError(withToken)).code).toBe('API_KEY_REQUIRED');
  });
});
