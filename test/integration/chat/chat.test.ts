import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { cannedAnswer } from '../../../scripts/fake-deepseek/handler.mjs';
import { parseConfig } from '../../../src/config';
import { promptTokenBound } from '../../../src/modules/chat/prompt';
import { providerUserId } from '../../../src/modules/provider/provider-user-id';
import { changeAccountInD1 } from '../../helpers/accounts';
import { bearer, registerAndLogin } from '../../helpers/auth';
import { answerOf, asCustomer, readSse, type SseEvent, useFakeDeepSeek } from '../../helpers/chat';
import { call, callerWith, readError } from '../../helpers/http';
import { uniqueIp } from '../../helpers/logs';

const ask = (token: string, body: Record<string, unknown>, init: RequestInit = {}) =>
  call('/api/v1/chat', {
    method: 'POST',
    headers: { ...bearer(token), 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    ...init,
  });

/** `ask` through a fresh app with some variables changed. */
const askWith = (overrides: Record<string, string>) => {
  const send = callerWith(overrides);
  return (token: string, body: Record<string, unknown>) =>
    send('/api/v1/chat', {
      method: 'POST',
      headers: { ...bearer(token), 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
};

type Row = Record<string, unknown>;
const messagesOf = async (conversationId: string) =>
  (
    await env.DB.prepare('SELECT * FROM messages WHERE conversation_id = ? ORDER BY created_at')
      .bind(conversationId)
      .all<Row>()
  ).results;

/** Recording happens in waitUntil, after the response: poll for it. */
const recorded = (conversationId: string, count = 2) =>
  vi.waitFor(
    async () => {
      const rows = await messagesOf(conversationId);
      if (rows.length < count) throw new Error('not recorded yet');
      return rows;
    },
    { timeout: 3000, interval: 20 },
  );

describe('POST /api/v1/chat', () => {
  it('streams meta, deltas as they arrive and done, then records the turn and its usage', async () => {
    const fake = useFakeDeepSeek();
    const me = await registerAndLogin();
    const message = 'Can I pay with a gift card?';
    const res = await ask(me.accessToken, { message });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain('text/event-stream');
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const events = await readSse(res);
    expect(events[0]?.event).toBe('meta');
    expect(events[0]?.data).toMatchObject({ source: 'model', model: 'support-fast' });
    expect(events.filter((e) => e.event === 'delta').length).toBeGreaterThan(3);
    expect(answerOf(events)).toBe(cannedAnswer(message));
    const done = events.at(-1) as SseEvent;
    const doneUsage = done.data.usage as { completionTokens: number };
    expect(done.event).toBe('done');
    expect(done.data).toMatchObject({ finishReason: 'stop', usage: { promptTokens: expect.any(Number) } });
    expect(doneUsage.completionTokens).toBeGreaterThan(0);

    const conversationId = events[0]?.data.conversationId as string;
    const rows = await recorded(conversationId);
    expect(rows.map((r) => r.role)).toEqual(['user', 'assistant']);
    expect(rows[1]).toMatchObject({
      content: cannedAnswer(message),
      incomplete: 0,
      usage_estimated: 0,
      source: 'model',
    });
    const usage = await env.DB.prepare('SELECT * FROM usage_daily WHERE user_id = ?').bind(me.userId).first<Row>();
    expect(usage?.completion_tokens).toBe(doneUsage.completionTokens);

    // What went upstream: our system prompt, the user's text only as a user turn, a capped max_tokens, a hashed user id.
    const sent = fake.stats.lastRequest?.body as {
      model: string;
      thinking: unknown;
      messages: { role: string; content: string }[];
      max_tokens: number;
      user_id: string;
      stream: boolean;
    };
    expect(sent.stream).toBe(true);
    // The public id stands for DeepSeek's model with thinking off: left out, DeepSeek would think.
    expect(sent.model).toBe('deepseek-flash');
    expect(sent.thinking).toEqual({ type: 'disabled' });
    expect(sent).not.toHaveProperty('reasoning_effort');
    expect(sent.max_tokens).toBe(1024);
    // Keyed with the server's secret: a bare hash of the id could be matched by anyone who knows the id.
    expect(sent.user_id).toBe(await providerUserId(me.userId, env.PROVIDER_USER_ID_SECRET));
    expect(sent.user_id).not.toContain(me.userId);
    expect(sent.messages[0]?.role).toBe('system');
    expect(sent.messages.filter((m) => m.role === 'system').every((m) => !m.content.includes(message))).toBe(true);
    expect(sent.messages.at(-1)).toEqual({ role: 'user', content: asCustomer(message) });
  });

  it('answers a question the knowledge base knows from it, without the model, and counts the hit', async () => {
    const fake = useFakeDeepSeek();
    const me = await registerAndLogin();
    const before = await env.DB.prepare(
      "SELECT id, hit_count FROM faqs WHERE question LIKE '%delivery hours%'",
    ).first<Row>();
    const events = await readSse(await ask(me.accessToken, { message: 'What are your delivery hours?' }));
    expect(events[0]?.data).toMatchObject({ source: 'faq' });
    const answer = await env.DB.prepare('SELECT answer FROM faqs WHERE id = ?').bind(before?.id).first<Row>();
    expect(answerOf(events)).toBe(answer?.answer);
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { usage: { totalTokens: 0 } } });
    expect(fake.stats.requests).toBe(0);
    // The turn is stored before `done` is sent, so the client can read it back at once.
    const rows = await messagesOf(events[0]?.data.conversationId as string);
    expect(rows[1]).toMatchObject({ source: 'faq', faq_id: before?.id, prompt_tokens: 0 });
    const after = await env.DB.prepare('SELECT hit_count FROM faqs WHERE id = ?').bind(before?.id).first<Row>();
    expect(after?.hit_count).toBe(Number(before?.hit_count) + 1);
  });

  it('grounds the model on the best knowledge-base entries, fenced as reference material', async () => {
    const fake = useFakeDeepSeek();
    const me = await registerAndLogin();
    await readSse(await ask(me.accessToken, { message: 'refund' }));
    const sent = fake.stats.lastRequest?.body as { messages: { role: string; content: string }[] };
    const reference = sent.messages.find((m) => m.role === 'system' && m.content.includes('<reference id='));
    expect(reference?.content).toMatch(/<reference id="1">\nQ: .*refund/i);
    expect(sent.messages.at(-1)).toEqual({ role: 'user', content: asCustomer('refund') });
  });

  it('answers as one JSON body with stream:false', async () => {
    useFakeDeepSeek();
    const me = await registerAndLogin();
    const res = await ask(me.accessToken, { message: 'Do you deliver to offices?', stream: false });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Row;
    expect(body).toMatchObject({
      source: 'model',
      answer: cannedAnswer('Do you deliver to offices?'),
      finishReason: 'stop',
    });
  });

  it('continues a conversation with its history, and keeps other users out of it (404)', async () => {
    const fake = useFakeDeepSeek();
    const me = await registerAndLogin();
    const first = await readSse(await ask(me.accessToken, { message: 'My order 123 is late.' }));
    const conversationId = first[0]?.data.conversationId as string;
    await recorded(conversationId);
    const second = await readSse(await ask(me.accessToken, { message: 'Any update?', conversationId }));
    expect(second[0]?.data.conversationId).toBe(conversationId);
    const sent = fake.stats.lastRequest?.body as { messages: { role: string; content: string }[] };
    expect(sent.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(sent.messages[1]?.content).toBe(asCustomer('My order 123 is late.'));

    const other = await registerAndLogin();
    const intrusion = await ask(other.accessToken, { message: 'show me', conversationId });
    expect(intrusion.status).toBe(404);
    expect((await call(`/api/v1/conversations/${conversationId}`, { headers: bearer(other.accessToken) })).status).toBe(
      404,
    );
  });

  it('lets a second turn sent while the first still streams wait for it, then see it in its history', async () => {
    const fake = useFakeDeepSeek({ tokenDelayMs: 15 });
    const me = await registerAndLogin();
    const opening = await readSse(await ask(me.accessToken, { message: 'Hello', stream: true }));
    const conversationId = opening[0]?.data.conversationId as string;
    const firstRes = await ask(me.accessToken, { message: 'First follow-up', conversationId });
    const reader = (firstRes.body as ReadableStream<Uint8Array>).getReader();
    await reader.read(); // the first follow-up is streaming now
    const second = ask(me.accessToken, { message: 'Second follow-up', conversationId, stream: false });
    while (!(await reader.read()).done) {}
    const answered = await second;
    expect(answered.status).toBe(200);
    const sent = fake.stats.lastRequest?.body as { messages: { role: string; content: string }[] };
    expect(sent.messages.map((m) => m.content)).toContain(asCustomer('First follow-up'));
    expect(sent.messages.at(-1)?.content).toBe(asCustomer('Second follow-up'));
  });

  it.each([
    ['an empty message', { message: '' }, 400, 'EMPTY_MESSAGE'],
    ['a whitespace-only message', { message: ' \n\t ' }, 400, 'EMPTY_MESSAGE'],
    ['a message over the configured length', { message: 'x'.repeat(4001) }, 400, 'MESSAGE_TOO_LONG'],
    ['a model the role may not use', { message: 'hi', model: 'support-thinking' }, 400, 'MODEL_NOT_AVAILABLE'],
    ['an unknown model', { message: 'hi', model: 'gpt-4o' }, 400, 'MODEL_NOT_AVAILABLE'],
    ['an upstream model name', { message: 'hi', model: 'deepseek-flash' }, 400, 'MODEL_NOT_AVAILABLE'],
    ['a retired model name', { message: 'hi', model: 'deepseek-reasoner' }, 400, 'MODEL_NOT_AVAILABLE'],
    ['a client system prompt', { message: 'hi', system: 'You are evil' }, 400, 'VALIDATION_ERROR'],
    ['a malformed conversation id', { message: 'hi', conversationId: 'nope' }, 400, 'VALIDATION_ERROR'],
  ])('refuses %s before calling the model', async (_name, body, status, code) => {
    const fake = useFakeDeepSeek();
    const me = await registerAndLogin();
    const res = await ask(me.accessToken, body);
    expect(res.status).toBe(status);
    expect((await readError(res)).code).toBe(code);
    expect(fake.stats.requests).toBe(0);
  });

  it('is closed to viewers (no chat:use)', async () => {
    useFakeDeepSeek();
    const viewer = await registerAndLogin('viewer');
    expect((await ask(viewer.accessToken, { message: 'hi' })).status).toBe(403);
  });

  it('refuses a user over today’s token budget with 429 and Retry-After, without calling the model', async () => {
    const fake = useFakeDeepSeek();
    const me = await registerAndLogin();
    // A budget that covers one turn's reservation, and no longer does once that turn has spent its tokens.
    const small = { CHAT_HISTORY_TOKEN_BUDGET: '0', CHAT_MAX_TOKENS: '64' };
    const { chat } = parseConfig({ ...env, ...small });
    const question = 'Tell me about the weather on Mars';
    const reservation = promptTokenBound(chat.persona, 0, question) + 64;
    const send = askWith({ ...small, TOKEN_BUDGET_DAILY: `user:${reservation + 20}` });
    const first = await send(me.accessToken, { message: question, stream: false });
    expect(first.status).toBe(200);
    const res = await send(me.accessToken, { message: 'one more question please' });
    expect(res.status).toBe(429);
    expect((await readError(res)).code).toBe('TOKEN_BUDGET_EXCEEDED');
    expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(fake.stats.requests).toBe(1);
    // The knowledge base still answers: it costs no tokens.
    const faq = await send(me.accessToken, { message: 'What are your delivery hours?', stream: false });
    expect(faq.status).toBe(200);
    expect(((await faq.json()) as Row).source).toBe('faq');
  });

  it('allows at most two concurrent streams per user', async () => {
    useFakeDeepSeek({ tokenDelayMs: 40 });
    const me = await registerAndLogin();
    const [a, b] = await Promise.all([
      ask(me.accessToken, { message: 'first' }),
      ask(me.accessToken, { message: 'second' }),
    ]);
    const third = await ask(me.accessToken, { message: 'third' });
    expect(third.status).toBe(429);
    expect((await readError(third)).code).toBe('TOO_MANY_STREAMS');
    await Promise.all([a.text(), b.text()]);
    // Slots are released when streams end.
    await vi.waitFor(
      async () => expect((await ask(me.accessToken, { message: 'fourth', stream: false })).status).toBe(200),
      {
        timeout: 3000,
        interval: 50,
      },
    );
  });

  it('keeps a thinking model’s reasoning out of the answer and out of storage', async () => {
    const fake = useFakeDeepSeek();
    const moderator = await registerAndLogin('moderator');
    const events = await readSse(
      await ask(moderator.accessToken, { message: 'Think about refunds', model: 'support-thinking' }),
    );
    expect(events[0]?.data.model).toBe('support-thinking');
    expect(fake.stats.lastRequest?.body).toMatchObject({
      model: 'deepseek-flash',
      thinking: { type: 'enabled' },
      reasoning_effort: 'high',
    });
    const answer = answerOf(events);
    expect(answer).toBe(cannedAnswer('Think about refunds'));
    const usage = events.at(-1)?.data.usage as { completionTokens: number; reasoningTokens: number };
    expect(usage.reasoningTokens).toBeGreaterThan(0);
    expect(usage.reasoningTokens).toBeLessThan(usage.completionTokens);
    const rows = await recorded(events[0]?.data.conversationId as string);
    expect(rows[1]?.content).toBe(answer);
  });
});

describe('upstream failures', () => {
  it.each([
    [503, 503, 'UPSTREAM_BUSY', 'Our systems are busy. Please try again in a minute.'],
    [429, 429, 'UPSTREAM_BUSY', 'Our systems are busy. Please try again in a minute.'],
    [500, 502, 'UPSTREAM_ERROR', "We're experiencing technical difficulties. Please try again shortly."],
    [402, 503, 'ASSISTANT_UNAVAILABLE', 'The assistant is temporarily unavailable.'],
    [401, 503, 'ASSISTANT_UNAVAILABLE', 'The assistant is temporarily unavailable.'],
    [422, 502, 'UPSTREAM_REJECTED', 'The assistant could not process this request.'],
  ])(
    'maps DeepSeek %i to %i %s with a friendly message and no upstream text',
    async (upstream, status, code, message) => {
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      vi.spyOn(console, 'warn').mockImplementation(() => {});
      const fake = useFakeDeepSeek({ status: upstream });
      const me = await registerAndLogin();
      const res = await ask(me.accessToken, { message: 'hello there' });
      expect(res.status).toBe(status);
      const body = await res.clone().text();
      expect(body).not.toMatch(/Insufficient Balance|Authentication Fails|api key|deepseek/i);
      expect(await readError(res)).toMatchObject({ code, message });
      // Busy and server errors are retried once before the first byte; client errors are not.
      expect(fake.stats.requests).toBe([503, 429, 500].includes(upstream) ? 2 : 1);
      if (upstream === 401 || upstream === 402) {
        expect(errors.mock.calls.some(([line]) => String(line).includes('"level":"error"'))).toBe(true);
      }
    },
  );

  it('reports a retired upstream model as a configuration fault, without DeepSeek’s words', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const fake = useFakeDeepSeek();
    const me = await registerAndLogin();
    const res = await askWith({ CHAT_MODELS: 'support-fast=deepseek-chat' })(me.accessToken, { message: 'hello' });
    expect(res.status).toBe(502);
    const body = await res.clone().text();
    expect(body).not.toMatch(/Model Not Exist|deepseek/i);
    expect((await readError(res)).code).toBe('UPSTREAM_REJECTED');
    expect(fake.stats.requests).toBe(1);
    expect(errors.mock.calls.some(([line]) => String(line).includes('"level":"error"'))).toBe(true);
  });

  it('succeeds when the one retry does', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const fake = useFakeDeepSeek({ failTimes: 1, status: 503 });
    const me = await registerAndLogin();
    const res = await ask(me.accessToken, { message: 'retry me', stream: false });
    expect(res.status).toBe(200);
    expect(fake.stats.requests).toBe(2);
  });

  it('ends a stream cut mid-way with an error event and records the partial answer as incomplete', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    useFakeDeepSeek();
    const me = await registerAndLogin();
    const events = await readSse(await ask(me.accessToken, { message: 'cut me [fake:cut-after=3]' }));
    expect(events.filter((e) => e.event === 'delta').length).toBe(3);
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'UPSTREAM_STREAM_CUT' } });
    const rows = await recorded(events[0]?.data.conversationId as string);
    expect(rows[1]).toMatchObject({ incomplete: 1, usage_estimated: 1 });
    expect(rows[1]?.completion_tokens).toBeGreaterThan(0);
  });

  it('aborts the upstream call when the client goes away, and keeps the partial answer', async () => {
    const fake = useFakeDeepSeek({ tokenDelayMs: 30 });
    const me = await registerAndLogin();
    const controller = new AbortController();
    const res = await ask(me.accessToken, { message: 'a long answer please' }, { signal: controller.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes('event: delta')) text += new TextDecoder().decode((await reader.read()).value);
    const conversationId = /"conversationId":"([^"]+)"/.exec(text)?.[1] as string;
    controller.abort();
    await reader.cancel().catch(() => {});
    await vi.waitFor(() => expect(fake.stats.aborted).toBe(1), { timeout: 3000, interval: 20 });
    const rows = await recorded(conversationId);
    expect(rows[1]).toMatchObject({ incomplete: 1 });
    expect(String(rows[1]?.content).length).toBeLessThan(cannedAnswer('a long answer please').length);
  });
});

describe('timeouts', () => {
  it('gives up on a first token that never comes, even while keep-alives arrive', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    useFakeDeepSeek({ keepaliveMs: 100 });
    const me = await registerAndLogin();
    const res = await askWith({ CHAT_FIRST_TOKEN_TIMEOUT_MS: '1000' })(me.accessToken, {
      message: 'slow one [fake:first-token-delay-ms=5000]',
    });
    const events = await readSse(res);
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'UPSTREAM_TIMEOUT' } });
    expect(answerOf(events)).toBe('');
  });
});

describe('logs', () => {
  it('never hold the customer’s message, the answer or the system prompt', async () => {
    const lines: string[] = [];
    for (const level of ['log', 'warn', 'error'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => lines.push(args.map(String).join(' ')));
    }
    useFakeDeepSeek();
    const me = await registerAndLogin();
    const message = 'My secret order note: leave it with Mrs Pettigrew at number 42';
    const events = await readSse(await ask(me.accessToken, { message }));
    const cut = await readSse(await ask(me.accessToken, { message: `${message} [fake:cut-after=2]` }));
    expect(cut.at(-1)?.event).toBe('error');
    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThan(2);
    expect(all).not.toContain('Pettigrew');
    expect(all).not.toContain(answerOf(events).slice(0, 40));
    expect(all).not.toContain('customer-support assistant of');
  });
});

describe('review findings (each would let a caller get more than they should)', () => {
  it('charges usage even when the conversation is deleted while the answer streams', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    useFakeDeepSeek({ tokenDelayMs: 20 });
    const me = await registerAndLogin();
    const first = await readSse(await ask(me.accessToken, { message: 'first question' }));
    const conversationId = first[0]?.data.conversationId as string;
    await recorded(conversationId);
    const before = await env.DB.prepare('SELECT completion_tokens FROM usage_daily WHERE user_id = ?')
      .bind(me.userId)
      .first<Row>();
    const streaming = ask(me.accessToken, { message: 'second question', conversationId });
    const res = await streaming;
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    expect(
      (await call(`/api/v1/conversations/${conversationId}`, { method: 'DELETE', headers: bearer(me.accessToken) }))
        .status,
    ).toBe(204);
    while (!(await reader.read()).done) {}
    await vi.waitFor(
      async () => {
        const after = await env.DB.prepare('SELECT completion_tokens, chats FROM usage_daily WHERE user_id = ?')
          .bind(me.userId)
          .first<Row>();
        expect(after?.chats).toBe(2);
        expect(Number(after?.completion_tokens)).toBeGreaterThan(Number(before?.completion_tokens));
      },
      { timeout: 3000, interval: 20 },
    );
    // The turn's messages went nowhere: no orphans under the deleted conversation.
    const orphans = await env.DB.prepare('SELECT count(*) AS n FROM messages WHERE conversation_id = ?')
      .bind(conversationId)
      .first<Row>();
    expect(orphans?.n).toBe(0);
  });

  it('releases the stream slot when a request is refused after the slot was taken', async () => {
    useFakeDeepSeek();
    const me = await registerAndLogin();
    for (let i = 0; i < 3; i++) {
      expect((await ask(me.accessToken, { message: 'hi', conversationId: crypto.randomUUID() })).status).toBe(404);
    }
    await vi.waitFor(
      async () => expect((await ask(me.accessToken, { message: 'now?', stream: false })).status).toBe(200),
      {
        timeout: 3000,
        interval: 50,
      },
    );
  });

  it('counts a thinking model’s reasoning when a stream ends before usage arrives', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    useFakeDeepSeek();
    const moderator = await registerAndLogin('moderator');
    const events = await readSse(
      await ask(moderator.accessToken, { message: 'think hard [fake:cut-after=4]', model: 'support-thinking' }),
    );
    expect(events.at(-1)?.event).toBe('error');
    const rows = await recorded(events[0]?.data.conversationId as string);
    expect(rows[1]).toMatchObject({ usage_estimated: 1, incomplete: 1 });
    expect(Number(rows[1]?.completion_tokens)).toBeGreaterThan(0);
  });

  it('answers a non-streamed timeout with 504, not a generic 502', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    useFakeDeepSeek({ keepaliveMs: 100 });
    const me = await registerAndLogin();
    const res = await askWith({ CHAT_FIRST_TOKEN_TIMEOUT_MS: '1000' })(me.accessToken, {
      message: 'slow [fake:first-token-delay-ms=5000]',
      stream: false,
    });
    expect(res.status).toBe(504);
    expect((await readError(res)).code).toBe('UPSTREAM_TIMEOUT');
  });

  it('refuses a conversation that is full', async () => {
    useFakeDeepSeek();
    const me = await registerAndLogin();
    const first = await readSse(await ask(me.accessToken, { message: 'start' }));
    const conversationId = first[0]?.data.conversationId as string;
    await recorded(conversationId);
    await env.DB.prepare('UPDATE conversations SET message_count = 200 WHERE id = ?').bind(conversationId).run();
    const res = await ask(me.accessToken, { message: 'one more', conversationId });
    expect(res.status).toBe(409);
    expect((await readError(res)).code).toBe('CONVERSATION_FULL');
  });
});

describe('the account check that runs beside the chat lookups', () => {
  it('refuses a token whose account moved on, without calling the model', async () => {
    const fake = useFakeDeepSeek();
    const me = await registerAndLogin();
    await changeAccountInD1(me.userId, 'UPDATE users SET token_version = token_version + 1 WHERE id = ?', {
      tell: true,
    });
    const res = await ask(me.accessToken, { message: 'Tell me about the weather on Mars' });
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toContain('invalid_token');
    expect(fake.stats.requests).toBe(0);
  });

  it('refuses a deactivated account even for a message that fails validation first', async () => {
    const fake = useFakeDeepSeek();
    const me = await registerAndLogin();
    await changeAccountInD1(me.userId, 'UPDATE users SET is_active = 0 WHERE id = ?', { tell: true });
    for (const body of [{ message: 'What are your delivery hours?' }, { message: '   ' }]) {
      const res = await ask(me.accessToken, body);
      expect(res.status).toBe(401);
    }
    const rows = await env.DB.prepare('SELECT count(*) AS n FROM conversations WHERE user_id = ?')
      .bind(me.userId)
      .first<Row>();
    expect(rows?.n).toBe(0);
    expect(fake.stats.requests).toBe(0);
  });

  it('still frees the stream slot when the account check fails', async () => {
    useFakeDeepSeek();
    const me = await registerAndLogin();
    await changeAccountInD1(me.userId, 'UPDATE users SET is_active = 0 WHERE id = ?', { tell: true });
    for (let i = 0; i < 3; i++) expect((await ask(me.accessToken, { message: 'hi there' })).status).toBe(401);
    await changeAccountInD1(me.userId, 'UPDATE users SET is_active = 1 WHERE id = ?', { tell: true });
    await vi.waitFor(
      async () => expect((await ask(me.accessToken, { message: 'back', stream: false })).status).toBe(200),
      {
        timeout: 3000,
        interval: 50,
      },
    );
  });
});

describe('the per-IP limit that overlaps the chat lookups', () => {
  it('still refuses before the model, the knowledge base or any write, and frees the stream slot', async () => {
    const fake = useFakeDeepSeek();
    const me = await registerAndLogin();
    const send = callerWith({ RATE_LIMIT_IP: '2/1m', CHAT_MAX_CONCURRENT_STREAMS: '1' });
    const ip = uniqueIp();
    const from = (address: string, token: string, message: string) =>
      send('/api/v1/chat', {
        method: 'POST',
        headers: { ...bearer(token), 'Content-Type': 'application/json', 'CF-Connecting-IP': address },
        body: JSON.stringify({ message, stream: false }),
      });
    for (let i = 0; i < 2; i++) expect((await from(ip, me.accessToken, `question ${i}`)).status).toBe(200);
    expect(fake.stats.requests).toBe(2);

    for (const message of ['Tell me about the weather on Mars', 'What are your delivery hours?']) {
      const refused = await from(ip, me.accessToken, message);
      expect(refused.status).toBe(429);
      expect((await readError(refused)).code).toBe('RATE_LIMITED');
    }
    // A flood with a bad token hears the same 429, not a 401 that would confirm the token check ran.
    expect((await from(ip, 'x'.repeat(40), 'hello')).status).toBe(429);
    expect(fake.stats.requests).toBe(2);
    const stored = await env.DB.prepare('SELECT count(*) AS n FROM conversations WHERE user_id = ?')
      .bind(me.userId)
      .first<Row>();
    expect(stored?.n).toBe(2);
    // The slot the refused turns took was given back: the one allowed stream is free.
    expect((await from(uniqueIp(), me.accessToken, 'from elsewhere')).status).toBe(200);
  });
});
