import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
  cannedAnswer,
  cannedSummary,
  handoffPreamble,
  handoffReason,
} from '../../../scripts/fake-deepseek/handler.mjs';
import { parseConfig } from '../../../src/config';
import { HANDED_OFF_SENTENCE } from '../../../src/modules/chat/handoff-tool';
import { handoffContextFromEnv } from '../../../src/modules/handoff/handoff.context';
import { INBOX_CHANNEL, liveChannel } from '../../../src/modules/handoff/live/live.client';
import { summarizeHandoff } from '../../../src/modules/handoff/summary';
import { bearer, registerAndLogin } from '../../helpers/auth';
import { answerOf, readSse, useFakeDeepSeek } from '../../helpers/chat';
import { smallTurns } from '../../helpers/chat-admission';
import { call, callerWith } from '../../helpers/http';
import { captureLogs, linesWith } from '../../helpers/logs';

type Row = Record<string, unknown>;

/** A message that no FAQ answers, with the fake's switch that makes it hand off. */
const CUED = 'My parcel went to the wrong street [fake:handoff=1]';
type Sent = { tools?: { function: { name: string } }[]; tool_choice?: unknown; messages: { content: string }[] };

const ask = (token: string, body: Record<string, unknown>) =>
  call('/api/v1/chat', {
    method: 'POST',
    headers: { ...bearer(token), 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

const conversationRow = (id: string) =>
  env.DB.prepare('SELECT * FROM conversations WHERE id = ?').bind(id).first<Row>();
const handoffRows = async (conversationId: string) =>
  (await env.DB.prepare('SELECT * FROM handoffs WHERE conversation_id = ?').bind(conversationId).all<Row>()).results;
const assistantMessages = async (conversationId: string) =>
  (
    await env.DB.prepare("SELECT content FROM messages WHERE conversation_id = ? AND role = 'assistant'")
      .bind(conversationId)
      .all<{ content: string }>()
  ).results;

/** The deployment ceiling's only shard when TOKEN_BUDGET_DAILY_TOTAL_SHARDS is 1: what it has counted today. */
async function shardDay() {
  const shard = env.BUDGET_SHARDS.get(env.BUDGET_SHARDS.idFromName('deployment:0'));
  return runInDurableObject(shard, async (_instance, state) =>
    state.storage.get<{ day: string; spent: number; reserved: number }>('day'),
  );
}

/** A conversation with one ordinary answer, then a handoff row of our own making (summary not written yet). */
async function handedOffByHand(token: string, message: string) {
  const events = await readSse(await ask(token, { message }));
  const conversationId = events[0]?.data.conversationId as string;
  await expect.poll(async () => (await assistantMessages(conversationId)).length).toBe(1);
  const handoffId = crypto.randomUUID();
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO handoffs (id, conversation_id, trigger, reason, requested_at) VALUES (?, ?, 'customer', NULL, ?)",
    ).bind(handoffId, conversationId, Date.now()),
    env.DB.prepare("UPDATE conversations SET state = 'waiting', handoff_id = ? WHERE id = ?").bind(
      handoffId,
      conversationId,
    ),
  ]);
  return { conversationId, handoffId };
}

const summaryOf = async (handoffId: string) =>
  (
    await env.DB.prepare('SELECT summary FROM handoffs WHERE id = ?')
      .bind(handoffId)
      .first<{ summary: string | null }>()
  )?.summary;

describe('the assistant hands a conversation to a person', () => {
  it('tells the customer in words, stores the turn, hands off, and only then sends done with state "waiting"', async () => {
    const fake = useFakeDeepSeek();
    const me = await registerAndLogin();
    const message = 'This is the third time. I want to talk to a person.';
    const events = await readSse(await ask(me.accessToken, { message }));
    const conversationId = events[0]?.data.conversationId as string;

    // What the model was offered: the one tool, on a stored conversation with thinking off.
    const sent = fake.stats.lastRequest?.body as Sent;
    expect(sent.tools?.map((t) => t.function.name)).toEqual(['handoff_to_human']);
    expect(sent.tool_choice).toBe('auto');

    const answer = answerOf(events);
    expect(answer).toBe(`${handoffPreamble} ${HANDED_OFF_SENTENCE}`);
    const done = events.at(-1);
    expect(done?.event).toBe('done');
    expect(done?.data).toMatchObject({ state: 'waiting', finishReason: 'tool_calls' });

    // By the time `done` arrived, the turn and the handoff were both committed.
    expect(await conversationRow(conversationId)).toMatchObject({ state: 'waiting' });
    const [handoff, ...more] = await handoffRows(conversationId);
    expect(more).toEqual([]);
    expect(handoff).toMatchObject({ trigger: 'assistant', reason: handoffReason });
    expect((await conversationRow(conversationId))?.handoff_id).toBe(handoff?.id);
    expect(await assistantMessages(conversationId)).toEqual([{ content: answer }]);

    // The customer's next message waits for the person: stored, answered 202, never sent to the model.
    const next = await ask(me.accessToken, { message: 'Thanks, I will wait', conversationId });
    expect(next.status).toBe(202);
    expect(await next.json()).toMatchObject({ conversationId, state: 'waiting' });

    // The summary follows in the background: one request to the default model, thinking off, no tools.
    await expect.poll(() => summaryOf(handoff?.id as string)).not.toBeNull();
    const summaryRequest = fake.stats.lastRequest?.body as Sent & { max_tokens: number; thinking: unknown };
    expect(summaryRequest).toMatchObject({ max_tokens: 150, thinking: { type: 'disabled' } });
    expect(summaryRequest).not.toHaveProperty('tools');
    const transcript = summaryRequest.messages.at(-1)?.content ?? '';
    expect(transcript).toContain(`<customer>\n${message}\n</customer>`);
    expect(await summaryOf(handoff?.id as string)).toBe(cannedSummary(transcript));
    // Two model calls in all, the answer and the summary: nothing for the held message.
    expect(fake.stats.requests).toBe(2);

    // Operators watching the inbox see the summary arrive.
    const inbox = await liveChannel(env.LIVE, INBOX_CHANNEL).eventsAfter(0);
    expect(inbox).toContainEqual(
      expect.objectContaining({
        type: 'state',
        conversationId,
        state: 'waiting',
        item: expect.objectContaining({ summary: cannedSummary(transcript), trigger: 'assistant' }),
      }),
    );
  });

  it('answers stream:false callers with state "waiting" too', async () => {
    useFakeDeepSeek();
    const me = await registerAndLogin();
    const res = await ask(me.accessToken, {
      message: 'The courier left my parcel in the rain [fake:handoff=1]',
      stream: false,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Row;
    expect(body).toMatchObject({ state: 'waiting', answer: `${handoffPreamble} ${HANDED_OFF_SENTENCE}` });
    expect(await conversationRow(body.conversationId as string)).toMatchObject({ state: 'waiting' });
  });

  it('reports the state as it is when the customer asked for a person while the model was answering', async () => {
    useFakeDeepSeek();
    const logs = captureLogs();
    const me = await registerAndLogin();
    const first = await readSse(await ask(me.accessToken, { message: 'My parcel is late' }));
    const conversationId = first[0]?.data.conversationId as string;
    await expect.poll(async () => (await assistantMessages(conversationId)).length).toBe(1);
    // The model takes a moment to start; the customer presses "Talk to a person" meanwhile.
    const answering = await ask(me.accessToken, {
      message: `${CUED} [fake:first-token-delay-ms=400]`,
      conversationId,
    });
    const pressed = await call(`/api/v1/conversations/${conversationId}/handoff`, {
      method: 'POST',
      headers: { ...bearer(me.accessToken), 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'pressed the button' }),
    });
    expect(pressed.status).toBe(200);
    const events = await readSse(answering);
    expect(events.at(-1)?.data).toMatchObject({ state: 'waiting', finishReason: 'tool_calls' });
    const handoffs = await handoffRows(conversationId);
    expect(handoffs.map((h) => h.trigger)).toEqual(['customer']);
    expect(linesWith(logs, 'assistant handoff not needed')).toHaveLength(1);
    expect(linesWith(logs, 'assistant handoff failed')).toEqual([]);
  });

  it('sends done with state "bot" for an ordinary answer', async () => {
    useFakeDeepSeek();
    const me = await registerAndLogin();
    const events = await readSse(await ask(me.accessToken, { message: 'When do you deliver?' }));
    expect(events.at(-1)?.data).toMatchObject({ state: 'bot', finishReason: 'stop' });
  });

  it('ignores a call to a function it was not offered: no handoff, and the answer is still complete', async () => {
    useFakeDeepSeek();
    const logs = captureLogs();
    const me = await registerAndLogin();
    const events = await readSse(await ask(me.accessToken, { message: 'Where is it? [fake:handoff=2]' }));
    const conversationId = events[0]?.data.conversationId as string;
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { state: 'bot', finishReason: 'tool_calls' } });
    await expect.poll(async () => (await assistantMessages(conversationId)).length).toBe(1);
    expect(await conversationRow(conversationId)).toMatchObject({ state: 'bot' });
    expect(await handoffRows(conversationId)).toEqual([]);
    expect(linesWith(logs, 'model called a tool it was not offered')).toEqual([
      expect.objectContaining({ tool: 'lookup_order_status' }),
    ]);
  });

  it('never offers the tool to a thinking model', async () => {
    const fake = useFakeDeepSeek();
    const moderator = await registerAndLogin('moderator');
    const message = 'I want to talk to a person';
    const events = await readSse(await ask(moderator.accessToken, { message, model: 'support-thinking' }));
    expect(fake.stats.lastRequest?.body).toMatchObject({ thinking: { type: 'enabled' } });
    expect(fake.stats.lastRequest?.body).not.toHaveProperty('tools');
    expect(answerOf(events)).toBe(cannedAnswer(message));
    expect(events.at(-1)?.data).toMatchObject({ state: 'bot' });
    expect(await conversationRow(events[0]?.data.conversationId as string)).toMatchObject({ state: 'bot' });
  });

  it('never offers the tool on the OpenAI-compatible path, which keeps no conversation', async () => {
    const fake = useFakeDeepSeek();
    const me = await registerAndLogin();
    const res = await call('/v1/chat/completions', {
      method: 'POST',
      headers: { ...bearer(me.accessToken), 'Content-Type': 'application/json' },
      body: JSON.stringify({
        model: 'support-fast',
        stream: false,
        messages: [{ role: 'user', content: 'I want to talk to a person' }],
      }),
    });
    expect(res.status).toBe(200);
    expect(fake.stats.lastRequest?.body).not.toHaveProperty('tools');
    expect(fake.stats.lastRequest?.body).not.toHaveProperty('tool_choice');
    const body = (await res.json()) as { choices: { message: { content: string }; finish_reason: string }[] };
    expect(body.choices[0]?.message.content).toBe(cannedAnswer('I want to talk to a person'));
  });
});

// Last in the file: the ceiling's shard is shared by every test here (storage is per file).
describe('the handoff summary and the token ceiling', () => {
  it('is written within the deployment ceiling and charged what it really cost', async () => {
    const fake = useFakeDeepSeek();
    const me = await registerAndLogin();
    const { small } = smallTurns(CUED);
    const send = callerWith({ ...small, TOKEN_BUDGET_DAILY_TOTAL: '1000000', TOKEN_BUDGET_DAILY_TOTAL_SHARDS: '1' });
    const before = (await shardDay())?.spent ?? 0;
    // stream:false, and callerWith waits for the request's background work: the summary included.
    const res = await send('/api/v1/chat', {
      method: 'POST',
      headers: { ...bearer(me.accessToken), 'Content-Type': 'application/json' },
      body: JSON.stringify({ message: CUED, stream: false }),
    });
    const body = (await res.json()) as { conversationId: string; state: string; usage: { totalTokens: number } };
    expect(body.state).toBe('waiting');
    const [handoff] = await handoffRows(body.conversationId);
    await expect.poll(() => summaryOf(handoff?.id as string)).toMatch(/wants a person/);
    expect(fake.stats.requests).toBe(2);
    // Both the answer and the summary were charged, and nothing is left reserved.
    await expect.poll(async () => (await shardDay())?.reserved).toBe(0);
    const spent = ((await shardDay())?.spent ?? 0) - before;
    expect(spent).toBeGreaterThan(body.usage.totalTokens);
    expect(spent - body.usage.totalTokens).toBeLessThan(600);
  });

  it('is skipped (summary stays empty, logged) when the ceiling is spent, and written once it is not', async () => {
    const fake = useFakeDeepSeek();
    const logs = captureLogs();
    const me = await registerAndLogin();
    const { conversationId, handoffId } = await handedOffByHand(me.accessToken, 'My order never came');
    const requests = fake.stats.requests;

    const background: Promise<unknown>[] = [];
    // A ceiling of one token is spent before anything starts.
    const spent = parseConfig({ ...env, TOKEN_BUDGET_DAILY_TOTAL: '1', TOKEN_BUDGET_DAILY_TOTAL_SHARDS: '1' });
    const spentCtx = handoffContextFromEnv(env, spent, (p) => background.push(p));
    await expect(summarizeHandoff(spentCtx, conversationId, handoffId)).resolves.toBeUndefined();
    expect(await summaryOf(handoffId)).toBeNull();
    expect(fake.stats.requests).toBe(requests);
    expect(linesWith(logs, 'handoff summary skipped: the daily token ceiling is spent')).toHaveLength(1);

    const openCtx = handoffContextFromEnv(env, parseConfig({ ...env }), (p) => background.push(p));
    await summarizeHandoff(openCtx, conversationId, handoffId);
    expect(await summaryOf(handoffId)).toMatch(/"My order never came"/);
    // Once per handoff: a second run neither asks the model again nor overwrites.
    const written = await summaryOf(handoffId);
    await summarizeHandoff(openCtx, conversationId, handoffId);
    expect(fake.stats.requests).toBe(requests + 1);
    expect(await summaryOf(handoffId)).toBe(written);
  });

  it('leaves the summary empty when the model fails, without throwing', async () => {
    const me = await registerAndLogin();
    useFakeDeepSeek();
    const { conversationId, handoffId } = await handedOffByHand(me.accessToken, 'Refund please');
    const logs = captureLogs();
    const fake = useFakeDeepSeek({ status: 503 });
    const ctx = handoffContextFromEnv(env, parseConfig({ ...env }), () => {});
    await expect(summarizeHandoff(ctx, conversationId, handoffId)).resolves.toBeUndefined();
    expect(fake.stats.requests).toBeGreaterThan(0);
    expect(await summaryOf(handoffId)).toBeNull();
    expect(linesWith(logs, 'handoff summary not written: the model did not answer')).toHaveLength(1);
  });
});
