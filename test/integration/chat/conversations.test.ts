import { describe, expect, it, vi } from 'vitest';
import { bearer, registerAndLogin } from '../../helpers/auth';
import { readSse, useFakeDeepSeek } from '../../helpers/chat';
import { call, readError } from '../../helpers/http';

async function startConversation(token: string, message: string): Promise<string> {
  const res = await call('/api/v1/chat', {
    method: 'POST',
    headers: { ...bearer(token), 'Content-Type': 'application/json' },
    body: JSON.stringify({ message }),
  });
  const events = await readSse(res);
  return events[0]?.data.conversationId as string;
}

const listOf = async (token: string, query = '') =>
  (await (await call(`/api/v1/conversations${query}`, { headers: bearer(token) })).json()) as {
    items: { id: string; title: string; messageCount: number }[];
    total: number;
  };

describe('conversations', () => {
  it('lists the caller’s conversations newest first, titled by their first message', async () => {
    useFakeDeepSeek();
    const me = await registerAndLogin();
    const first = await startConversation(me.accessToken, 'Where is my order?\nIt was due yesterday.');
    await vi.waitFor(async () => expect((await listOf(me.accessToken)).total).toBe(1), { timeout: 3000, interval: 20 });
    const second = await startConversation(me.accessToken, 'Refund for bruised apples');
    await vi.waitFor(async () => expect((await listOf(me.accessToken)).total).toBe(2), { timeout: 3000, interval: 20 });
    const page = await listOf(me.accessToken);
    expect(page.items.map((c) => c.id)).toEqual([second, first]);
    expect(page.items[1]).toMatchObject({ title: 'Where is my order?', messageCount: 2 });
    expect((await listOf(me.accessToken, '?pageSize=1')).items).toHaveLength(1);
    expect((await call('/api/v1/conversations?pageSize=500', { headers: bearer(me.accessToken) })).status).toBe(400);
  });

  it('returns one conversation with its messages, and deletes it (owner only)', async () => {
    useFakeDeepSeek();
    const me = await registerAndLogin();
    const other = await registerAndLogin();
    const id = await startConversation(me.accessToken, 'Hello there');
    await vi.waitFor(async () => expect((await listOf(me.accessToken)).total).toBe(1), { timeout: 3000, interval: 20 });

    const res = await call(`/api/v1/conversations/${id}`, { headers: bearer(me.accessToken) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { messages: { role: string; incomplete: boolean }[] };
    expect(body.messages.map((m) => m.role)).toEqual(['user', 'assistant']);

    const foreign = await call(`/api/v1/conversations/${id}`, { method: 'DELETE', headers: bearer(other.accessToken) });
    expect(foreign.status).toBe(404);
    expect((await readError(foreign)).code).toBe('NOT_FOUND');
    expect(
      (await call(`/api/v1/conversations/${id}`, { method: 'DELETE', headers: bearer(me.accessToken) })).status,
    ).toBe(204);
    expect((await call(`/api/v1/conversations/${id}`, { headers: bearer(me.accessToken) })).status).toBe(404);
  });
});
