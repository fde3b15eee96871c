import { describe, expect, it } from 'vitest';
import { cannedAnswer, cannedNotice, cannedReasoning } from '../../../scripts/fake-deepseek/handler.mjs';
import { FAKE_BASE_URL, sseFrames, startFake } from '../../helpers/fake-deepseek';

type Chunk = {
  id: string;
  object: string;
  created: number;
  model: string;
  system_fingerprint: string;
  choices: Array<{
    index: number;
    delta: { role?: string; content?: string | null; reasoning_content?: string | null };
    logprobs: null;
    finish_reason: string | null;
  }>;
  usage?: Record<string, unknown> | null;
};

function post(body: unknown, headers: Record<string, string> = {}, path = '/chat/completions'): Request {
  return new Request(`${FAKE_BASE_URL}${path}`, {
    method: 'POST',
    headers: { Authorization: 'Bearer sk-any', 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** A request with thinking off (the service's default model); `think` leaves DeepSeek's default (on). */
const ask = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'deepseek-flash',
  thinking: { type: 'disabled' },
  messages: [{ role: 'user', content }],
  ...extra,
});
const think = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'deepseek-flash',
  messages: [{ role: 'user', content }],
  ...extra,
});

const chunksOf = (frames: string[]) =>
  frames.filter((f) => f.startsWith('data: {')).map((f) => JSON.parse(f.slice('data: '.length)) as Chunk);

describe('fake DeepSeek', () => {
  it('streams chat.completion.chunk frames, usage on the last chunk with finish_reason, then [DONE]', async () => {
    const fake = startFake();
    const res = await fake.fetch(
      post(ask('Where is my order?', { stream: true, stream_options: { include_usage: true } })),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const frames = await sseFrames(res);
    expect(frames.at(-1)).toBe('data: [DONE]');
    const chunks = chunksOf(frames);
    const first = chunks[0];
    const last = chunks.at(-1);
    expect(first?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ object: 'chat.completion.chunk', model: 'deepseek-flash', id: first?.id });
      expect(chunk.system_fingerprint).toMatch(/^fp_/);
      expect(chunk.choices[0]?.logprobs).toBeNull();
    }
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.usage).toBeNull();
      expect(chunk.choices[0]?.finish_reason).toBeNull();
    }
    expect(last?.choices[0]?.finish_reason).toBe('stop');
    expect(last?.usage).toMatchObject({
      prompt_tokens: expect.any(Number),
      completion_tokens: chunks.length - 2,
      prompt_cache_hit_tokens: expect.any(Number),
      prompt_cache_miss_tokens: expect.any(Number),
      prompt_tokens_details: { cached_tokens: expect.any(Number) },
    });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(cannedAnswer('Where is my order?'));
    expect(text).toContain(cannedNotice);
    expect(fake.stats.completed).toBe(1);
  });

  it('omits usage from earlier chunks when include_usage is not asked for', async () => {
    const fake = startFake();
    const chunks = chunksOf(await sseFrames(await fake.fetch(post(ask('hi', { stream: true })))));
    expect(chunks[1]).not.toHaveProperty('usage');
    expect(chunks.at(-1)?.usage).toMatchObject({ total_tokens: expect.any(Number) });
  });

  it('sends keep-alive comments while queued before the first chunk', async () => {
    const fake = startFake();
    const res = await fake.fetch(
      post(ask('hi', { stream: true }), { 'X-Fake-First-Token-Delay-Ms': '100', 'X-Fake-Keepalive-Ms': '20' }),
    );
    const frames = await sseFrames(res);
    const firstData = frames.findIndex((f) => f.startsWith('data:'));
    expect(firstData).toBeGreaterThanOrEqual(4);
    expect(frames.slice(0, firstData).every((f) => f === ': keep-alive')).toBe(true);
  });

  it('thinks unless the request disables it: reasoning_content first, then reasoning and cache tokens', async () => {
    const fake = startFake();
    const chunks = chunksOf(await sseFrames(await fake.fetch(post(think('Refund?', { stream: true })))));
    const reasoning = chunks.map((c) => c.choices[0]?.delta.reasoning_content ?? '').join('');
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(reasoning).toBe(cannedReasoning('Refund?'));
    expect(content).toBe(cannedAnswer('Refund?'));
    const firstContent = chunks.findIndex((c) => c.choices[0]?.delta.content);
    const lastReasoning = chunks.findLastIndex((c) => c.choices[0]?.delta.reasoning_content);
    expect(lastReasoning).toBeLessThan(firstContent);
    expect(chunks.at(-1)?.usage).toMatchObject({
      completion_tokens_details: {
        reasoning_tokens: chunks.filter((c) => c.choices[0]?.delta.reasoning_content).length,
      },
      prompt_tokens_details: { cached_tokens: expect.any(Number) },
      prompt_cache_hit_tokens: expect.any(Number),
      prompt_cache_miss_tokens: expect.any(Number),
    });
    for (const effort of ['low', 'high', 'max']) {
      const body = think('Refund?', { stream: true, thinking: { type: 'enabled' }, reasoning_effort: effort });
      const again = chunksOf(await sseFrames(await fake.fetch(post(body))));
      expect(again.map((c) => c.choices[0]?.delta.reasoning_content ?? '').join('')).toBe(cannedReasoning('Refund?'));
    }
  });

  it('sends no reasoning and no reasoning tokens when thinking is disabled', async () => {
    const fake = startFake();
    const frames = await sseFrames(await fake.fetch(post(ask('Refund?', { stream: true }))));
    expect(frames.join('\n')).not.toContain('reasoning');
    const json = (await (await fake.fetch(post(ask('Refund?')))).json()) as Record<string, unknown>;
    expect(JSON.stringify(json)).not.toContain('reasoning');
  });

  it('answers a thinking non-stream request with reasoning_content beside the answer', async () => {
    const fake = startFake();
    const body = (await (await fake.fetch(post(think('Opening hours?')))).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      choices: [
        {
          message: {
            role: 'assistant',
            content: cannedAnswer('Opening hours?'),
            reasoning_content: cannedReasoning('Opening hours?'),
          },
        },
      ],
      usage: { completion_tokens_details: { reasoning_tokens: expect.any(Number) } },
    });
  });

  it.each(['deepseek-chat', 'deepseek-reasoner', 'gpt-4o'])(
    'answers the retired or unknown model %s with DeepSeek’s "Model Not Exist"',
    async (model) => {
      const fake = startFake();
      const res = await fake.fetch(post({ ...ask('hi', { stream: true }), model }));
      expect(res.status).toBe(400);
      expect(await res.text()).toBe(
        '{"error":{"message":"Model Not Exist","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}',
      );
    },
  );

  it('refuses a malformed thinking switch or effort as DeepSeek does', async () => {
    const fake = startFake();
    expect((await fake.fetch(post(ask('x', { thinking: { type: 'maybe' } })))).status).toBe(422);
    expect((await fake.fetch(post(ask('x', { thinking: true })))).status).toBe(422);
    expect((await fake.fetch(post(think('x', { reasoning_effort: 'medium-rare' })))).status).toBe(422);
  });

  it('answers non-stream requests with one chat.completion object', async () => {
    const fake = startFake();
    const res = await fake.fetch(post(ask('Opening hours?')));
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'deepseek-flash',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: cannedAnswer('Opening hours?') },
          finish_reason: 'stop',
        },
      ],
      usage: { total_tokens: expect.any(Number) },
    });
  });

  it('honours max_tokens with finish_reason "length"', async () => {
    const fake = startFake();
    const chunks = chunksOf(await sseFrames(await fake.fetch(post(ask('hi', { stream: true, max_tokens: 3 })))));
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('length');
    expect(chunks.at(-1)?.usage).toMatchObject({ completion_tokens: 3 });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Thanks for your');
  });

  it('requires a Bearer key, answering with DeepSeek’s error body', async () => {
    const fake = startFake();
    const res = await fake.fetch(new Request(`${FAKE_BASE_URL}/chat/completions`, { method: 'POST', body: '{}' }));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { message: expect.any(String), type: 'authentication_error', param: null, code: 'invalid_request_error' },
    });
  });

  it('answers with the exact error body of each status it is told to fail with', async () => {
    const fake = startFake();
    const res = await fake.fetch(post(ask('pay [fake:status=402]')));
    expect(res.status).toBe(402);
    expect(await res.text()).toBe(
      '{"error":{"message":"Insufficient Balance","type":"unknown_error","param":null,"code":"invalid_request_error"}}',
    );
    for (const status of [400, 422, 429, 500, 503]) {
      const failed = await fake.fetch(post(ask('x'), { 'X-Fake-Status': String(status) }));
      expect(failed.status).toBe(status);
      expect(await failed.json()).toMatchObject({ error: { param: null, code: 'invalid_request_error' } });
    }
  });

  it('fails a given number of times per key, then succeeds', async () => {
    const fake = startFake();
    const request = () => post(ask('again [fake:fail-times=2] [fake:status=429]'));
    expect((await fake.fetch(request())).status).toBe(429);
    expect((await fake.fetch(request())).status).toBe(429);
    expect((await fake.fetch(request())).status).toBe(200);
    // Another key has its own count.
    expect((await fake.fetch(post(ask('other [fake:fail-times=1]')))).status).toBe(503);
  });

  it('validates the request like the real API', async () => {
    const fake = startFake();
    expect((await fake.fetch(post({ model: 'deepseek-flash' }))).status).toBe(422);
    expect((await fake.fetch(post(ask('x', { max_tokens: 0 })))).status).toBe(400);
    const notJson = new Request(`${FAKE_BASE_URL}/chat/completions`, {
      method: 'POST',
      headers: { Authorization: 'Bearer k' },
      body: '{oops',
    });
    expect((await fake.fetch(notJson)).status).toBe(400);
  });

  it('lists models under /models and /v1/models in the OpenAI shape', async () => {
    const fake = startFake({ models: ['deepseek-flash'] });
    for (const path of ['/models', '/v1/models']) {
      const res = await fake.fetch(new Request(`${FAKE_BASE_URL}${path}`, { headers: { Authorization: 'Bearer k' } }));
      expect(await res.json()).toEqual({
        object: 'list',
        data: [{ id: 'deepseek-flash', object: 'model', owned_by: 'deepseek' }],
      });
    }
    expect((await fake.fetch(post(ask('hi'), {}, '/v1/chat/completions'))).status).toBe(200);
  });

  it('cuts a stream without [DONE] when told to', async () => {
    const fake = startFake({ cutAfter: 2 });
    const frames = await sseFrames(await fake.fetch(post(ask('hi', { stream: true }))));
    expect(frames).toHaveLength(3); // role chunk + 2 tokens
    expect(frames).not.toContain('data: [DONE]');
    expect(fake.stats.cut).toBe(1);
  });

  it('stops streaming when the client cancels the body', async () => {
    const fake = startFake({ tokenDelayMs: 30 });
    const res = await fake.fetch(post(ask('hi', { stream: true })));
    const reader = res.body?.getReader();
    await reader?.read();
    await reader?.cancel();
    expect(fake.stats.aborted).toBe(1);
    expect(fake.stats.completed).toBe(0);
  });

  it('leaves magic phrases out of the echoed topic', () => {
    expect(cannedAnswer('Broken login [fake:token-delay-ms=5]')).toContain('"Broken login"');
  });
});
