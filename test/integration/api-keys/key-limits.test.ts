import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config';
import { promptTokenBound } from '../../../src/modules/chat/prompt';
import { createKey, withKey } from '../../helpers/api-keys';
import { bearer, registerAndLogin } from '../../helpers/auth';
import { useFakeDeepSeek } from '../../helpers/chat';
import { callerWith, readError } from '../../helpers/http';
import { uniqueIp } from '../../helpers/logs';

const QUESTION = 'Tell me about the weather on Mars';

/** Small turns, so a reservation is a known figure: the prompt bound plus the answer's max tokens. */
const small = { CHAT_HISTORY_TOKEN_BUDGET: '0', CHAT_MAX_TOKENS: '64' };
const { chat } = parseConfig({ ...env, ...small });
const reservation = promptTokenBound(chat.persona, 0, QUESTION) + 64;

function completionsWith(overrides: Record<string, string> = {}) {
  const send = callerWith({ ...small, ...overrides });
  return (headers: Record<string, string>, stream = false) =>
    send('/v1/chat/completions', {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json', 'CF-Connecting-IP': uniqueIp() },
      body: JSON.stringify({ model: 'support-fast', stream, messages: [{ role: 'user', content: QUESTION }] }),
    });
}

async function codeOf(res: Response) {
  return { status: res.status, code: (await readError(res)).code, retryAfter: Number(res.headers.get('Retry-After')) };
}

describe('API key limits on chat turns', () => {
  it('reserves a key’s daily budget exactly: two turns at once with budget for one give one answer and KEY_BUDGET_EXCEEDED', async () => {
    const fake = useFakeDeepSeek({ tokenDelayMs: 20 });
    const owner = await registerAndLogin();
    const { key } = await createKey(owner, { dailyTokenBudget: reservation * 2 - 1 });
    const send = completionsWith();
    const answers = await Promise.all([send(withKey(key)), send(withKey(key))]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 429]);
    const refused = await codeOf(answers.find((r) => r.status === 429) as Response);
    expect(refused.code).toBe('KEY_BUDGET_EXCEEDED');
    expect(refused.retryAfter).toBeGreaterThan(0);
    expect(fake.stats.requests).toBe(1);
  });

  it('settles a turn with what it cost: GET /v1/key shows the spend and what is left', async () => {
    useFakeDeepSeek();
    const owner = await registerAndLogin();
    const { key } = await createKey(owner, { dailyTokenBudget: 100_000 });
    const res = await completionsWith()(withKey(key));
    const { usage } = (await res.json()) as { usage: { total_tokens: number } };
    // Settlement runs after the answer (waitUntil, awaited by callerWith).
    const status = await callerWith(small)('/v1/key', { headers: withKey(key) });
    const { data } = (await status.json()) as { data: { usage: number; limit_remaining: number } };
    expect(data.usage).toBe(usage.total_tokens);
    expect(data.limit_remaining).toBe(100_000 - usage.total_tokens);
  });

  it('counts a key’s spend toward its owner’s budget: a key turn and a token turn share the owner’s last reservation', async () => {
    const fake = useFakeDeepSeek({ tokenDelayMs: 20 });
    const owner = await registerAndLogin();
    const { key } = await createKey(owner);
    const send = completionsWith({ TOKEN_BUDGET_DAILY: `user:${reservation * 2 - 1}` });
    const answers = await Promise.all([send(withKey(key)), send(bearer(owner.accessToken))]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 429]);
    expect((await codeOf(answers.find((r) => r.status === 429) as Response)).code).toBe('TOKEN_BUDGET_EXCEEDED');
    expect(fake.stats.requests).toBe(1);
  });

  it('holds a key to its concurrent streams with KEY_TOO_MANY_STREAMS', async () => {
    useFakeDeepSeek({ tokenDelayMs: 30 });
    const owner = await registerAndLogin();
    const { key } = await createKey(owner, { maxConcurrentStreams: 1 });
    const send = completionsWith();
    const answers = await Promise.all([send(withKey(key), true), send(withKey(key), true)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 429]);
    const refused = await codeOf(answers.find((r) => r.status === 429) as Response);
    expect(refused.code).toBe('KEY_TOO_MANY_STREAMS');
    expect(refused.retryAfter).toBeGreaterThan(0);
    expect(await (answers.find((r) => r.status === 200) as Response).text()).toContain('[DONE]');
  });

  it('holds a key to its tokens per minute with KEY_TOKEN_RATE_LIMITED', async () => {
    useFakeDeepSeek();
    const owner = await registerAndLogin();
    const { key, apiKey } = await createKey(owner, { tokensPerMinute: reservation });
    const send = completionsWith();
    expect((await send(withKey(key))).status).toBe(200);
    const refused = await codeOf(await send(withKey(key)));
    expect(refused).toMatchObject({ status: 429, code: 'KEY_TOKEN_RATE_LIMITED' });
    expect(refused.retryAfter).toBeGreaterThan(0);
    expect(refused.retryAfter).toBeLessThanOrEqual(60);
    const { results } = await env.DB.prepare(
      "SELECT detail FROM audit_events WHERE action = 'api_key_refused' AND target_id = ?",
    )
      .bind(apiKey.id)
      .all<{ detail: string }>();
    expect(results.map((r) => JSON.parse(r.detail))).toEqual([{ refusal: 'key-tokens' }]);
  });

  it('gives the owner’s stream slot back when the key’s own limit refuses the turn', async () => {
    useFakeDeepSeek();
    const owner = await registerAndLogin();
    const { key } = await createKey(owner, { dailyTokenBudget: 1 });
    const send = completionsWith({ CHAT_MAX_CONCURRENT_STREAMS: '1', CHAT_DAILY_MESSAGES: 'user:2' });
    for (let i = 0; i < 3; i++) expect((await codeOf(await send(withKey(key)))).code).toBe('KEY_BUDGET_EXCEEDED');
    // Neither a slot nor a message was kept by the refused turns.
    expect((await send(bearer(owner.accessToken))).status).toBe(200);
    expect((await send(bearer(owner.accessToken))).status).toBe(200);
  });
});
