import { describe, expect, it } from 'vitest';
import { bearer, registerAndLogin } from '../../helpers/auth';
import { readSse, useFakeDeepSeek } from '../../helpers/chat';
import { askWith, smallTurns } from '../../helpers/chat-admission';
import { call, readError } from '../../helpers/http';

type Row = Record<string, unknown>;

const MODEL_QUESTION = 'Tell me about the weather on Mars';
const FAQ_QUESTION = 'What are your delivery hours?';

describe('chat admission', () => {
  it('reserves budgets exactly: two turns at once with budget for one give one answer and one 429', async () => {
    const fake = useFakeDeepSeek({ tokenDelayMs: 20 });
    const me = await registerAndLogin();
    const { small, reservation } = smallTurns(MODEL_QUESTION);
    const send = askWith({ ...small, TOKEN_BUDGET_DAILY: `user:${reservation * 2 - 1}` });
    const answers = await Promise.all([
      send(me.accessToken, { message: MODEL_QUESTION, stream: false }),
      send(me.accessToken, { message: MODEL_QUESTION, stream: false }),
    ]);
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses).toEqual([200, 429]);
    const refused = answers.find((res) => res.status === 429) as Response;
    expect((await readError(refused)).code).toBe('TOKEN_BUDGET_EXCEEDED');
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(fake.stats.requests).toBe(1);
  });

  it('counts knowledge-base answers toward the daily message quota and refuses past it with 429', async () => {
    useFakeDeepSeek();
    const me = await registerAndLogin();
    const send = askWith({ CHAT_DAILY_MESSAGES: 'user:2' });
    for (let i = 0; i < 2; i++) {
      const res = await send(me.accessToken, { message: FAQ_QUESTION, stream: false });
      expect(((await res.json()) as Row).source).toBe('faq');
    }
    const refused = await send(me.accessToken, { message: FAQ_QUESTION, stream: false });
    expect(refused.status).toBe(429);
    expect((await readError(refused)).code).toBe('MESSAGE_QUOTA_EXCEEDED');
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
  });

  it('does not count a turn refused after admission toward the message quota', async () => {
    useFakeDeepSeek();
    const me = await registerAndLogin();
    const send = askWith({ CHAT_DAILY_MESSAGES: 'user:1' });
    const missing = await send(me.accessToken, { message: FAQ_QUESTION, conversationId: crypto.randomUUID() });
    expect(missing.status).toBe(404);
    const res = await send(me.accessToken, { message: FAQ_QUESTION, stream: false });
    expect(res.status).toBe(200);
  });

  it('caps the conversations a user keeps, and frees a place when one is deleted', async () => {
    useFakeDeepSeek();
    const me = await registerAndLogin();
    const send = askWith({ CHAT_MAX_CONVERSATIONS: '1' });
    const first = await send(me.accessToken, { message: FAQ_QUESTION, stream: false });
    const { conversationId } = (await first.json()) as { conversationId: string };
    const refused = await send(me.accessToken, { message: FAQ_QUESTION });
    expect(refused.status).toBe(429);
    expect((await readError(refused)).code).toBe('CONVERSATION_LIMIT_REACHED');
    expect(refused.headers.get('Retry-After')).toEqual(expect.stringMatching(/^\d+$/));
    // The existing one goes on; deleting it makes room for a new one.
    expect((await send(me.accessToken, { message: FAQ_QUESTION, conversationId, stream: false })).status).toBe(200);
    await expect
      .poll(
        async () =>
          (await call(`/api/v1/conversations/${conversationId}`, { method: 'DELETE', headers: bearer(me.accessToken) }))
            .status,
      )
      .toBe(204);
    expect((await send(me.accessToken, { message: FAQ_QUESTION, stream: false })).status).toBe(200);
  });

  it('stops model answers for everyone at the deployment ceiling while FAQ answers go on, refunding what was not spent', async () => {
    const fake = useFakeDeepSeek();
    const [alice, bob] = [await registerAndLogin(), await registerAndLogin()];
    const { small, reservation } = smallTurns(MODEL_QUESTION);
    // One shard holding room for one model turn's reservation.
    const send = askWith({
      ...small,
      TOKEN_BUDGET_DAILY_TOTAL: String(reservation + 10),
      TOKEN_BUDGET_DAILY_TOTAL_SHARDS: '1',
    });
    // A knowledge-base answer reserves and then gives the reservation back.
    const faq = await send(alice.accessToken, { message: FAQ_QUESTION, stream: false });
    expect(((await faq.json()) as Row).source).toBe('faq');
    await expect
      .poll(async () => (await send(alice.accessToken, { message: MODEL_QUESTION, stream: false })).status)
      .toBe(200);
    const refused = await send(bob.accessToken, { message: MODEL_QUESTION, stream: false });
    expect(refused.status).toBe(503);
    expect((await readError(refused)).code).toBe('ASSISTANT_CAPACITY_REACHED');
    expect(fake.stats.requests).toBe(1);
    const stillFaq = await send(bob.accessToken, { message: FAQ_QUESTION, stream: false });
    expect(stillFaq.status).toBe(200);
  });

  it('frees a turn’s only stream slot once its answer is stored, turn after turn', async () => {
    useFakeDeepSeek();
    const me = await registerAndLogin();
    const send = askWith({ CHAT_MAX_CONCURRENT_STREAMS: '1' });
    for (let i = 0; i < 3; i++) {
      // The slot is held until the turn is recorded (in the background), then given back.
      let res = await send(me.accessToken, { message: `${MODEL_QUESTION} ${i}` });
      for (let tries = 0; res.status === 429 && tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        res = await send(me.accessToken, { message: `${MODEL_QUESTION} ${i}` });
      }
      expect(res.status).toBe(200);
      expect((await readSse(res)).at(-1)?.event).toBe('done');
    }
  });
});
