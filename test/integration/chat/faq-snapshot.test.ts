import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { bearer, registerAndLogin, type Session } from '../../helpers/auth';
import { useFakeDeepSeek } from '../../helpers/chat';
import { call, callerWith } from '../../helpers/http';

// The chat answers from the isolate's FAQ snapshot (FAQ_CACHE_SECONDS, 60 in wrangler.toml).
const QUESTION = 'Do you sell kombucha hampers?';

let editor: Session;
let customer: Session;

beforeAll(async () => {
  [editor, customer] = await Promise.all([registerAndLogin('moderator'), registerAndLogin('user')]);
});

const json = (method: string, token: string, body?: unknown) => ({
  method,
  headers: { ...bearer(token), 'Content-Type': 'application/json' },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

type Reply = { source: string; answer: string };

async function chat(message: string, send = call): Promise<Reply> {
  const res = await send('/api/v1/chat', json('POST', customer.accessToken, { message, stream: false }));
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Reply;
}

describe('chat FAQ answers and edits', () => {
  it('sees an entry created, edited and deleted through the API at the next message', async () => {
    useFakeDeepSeek();
    expect((await chat('What are your delivery hours?')).source).toBe('faq'); // the snapshot is loaded

    const created = await call(
      '/api/v1/faqs',
      json('POST', editor.accessToken, {
        question: QUESTION,
        answer: 'Yes, in December.',
        published: true,
      }),
    );
    expect(created.status).toBe(201);
    const { faq } = (await created.json()) as { faq: { id: string } };
    expect(await chat(QUESTION)).toMatchObject({ source: 'faq', answer: 'Yes, in December.' });

    const patched = await call(`/api/v1/faqs/${faq.id}`, json('PATCH', editor.accessToken, { answer: 'All year.' }));
    expect(patched.status).toBe(200);
    expect(await chat(QUESTION)).toMatchObject({ source: 'faq', answer: 'All year.' });

    expect((await call(`/api/v1/faqs/${faq.id}`, json('DELETE', editor.accessToken))).status).toBe(204);
    expect((await chat(QUESTION)).source).toBe('model');
  });

  it('reads no D1 per message once loaded: a write behind the API waits for the TTL, unless it is 0', async () => {
    useFakeDeepSeek();
    await chat('What are your delivery hours?');
    await env.DB.prepare(
      "INSERT INTO faqs (id, question, answer, tags, published) VALUES ('behind-api', ?, 'Yes.', '[]', 1)",
    )
      .bind(QUESTION)
      .run();
    const alwaysFresh = callerWith({ FAQ_CACHE_SECONDS: '0' });
    try {
      expect((await chat(QUESTION)).source).toBe('model');
      expect(await chat(QUESTION, alwaysFresh)).toMatchObject({ source: 'faq', answer: 'Yes.' });
    } finally {
      await env.DB.prepare("DELETE FROM faqs WHERE id = 'behind-api'").run();
      await chat(QUESTION, alwaysFresh); // leaves the isolate's snapshot without the removed row
    }
  });
});
