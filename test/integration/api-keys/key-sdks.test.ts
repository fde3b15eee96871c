import { exports } from 'cloudflare:workers';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { streamText } from 'ai';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { cannedAnswer } from '../../../scripts/fake-deepseek/handler.mjs';
import { createKey } from '../../helpers/api-keys';
import { registerAndLogin } from '../../helpers/auth';
import { useFakeDeepSeek } from '../../helpers/chat';
import { ORIGIN } from '../../helpers/http';
import { uniqueIp } from '../../helpers/logs';

/** What both SDKs are given as `fetch`: the request goes to the Worker, as from a client's network. */
const toWorker = (url: RequestInfo | URL, init?: RequestInit) => {
  const request = new Request(url, init);
  request.headers.set('CF-Connecting-IP', uniqueIp());
  return exports.default.fetch(request);
};

describe('API keys with unchanged SDKs through /v1', () => {
  it('streams with the official openai SDK, the key as its apiKey', async () => {
    useFakeDeepSeek();
    const owner = await registerAndLogin();
    const { key } = await createKey(owner);
    const client = new OpenAI({ apiKey: key, baseURL: `${ORIGIN}/v1`, maxRetries: 0, fetch: toWorker });
    const question = 'Do you deliver on Sundays?';
    const stream = await client.chat.completions.create({
      model: 'support-fast',
      messages: [{ role: 'user', content: question }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(usage?.total_tokens ?? 0).toBeGreaterThan(0);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['support-fast']);
  });

  it('streams with the Vercel AI SDK (openai-compatible provider), the key as its apiKey', async () => {
    useFakeDeepSeek();
    const owner = await registerAndLogin();
    const { key } = await createKey(owner);
    const provider = createOpenAICompatible({
      name: 'support',
      baseURL: `${ORIGIN}/v1`,
      apiKey: key,
      includeUsage: true,
      fetch: toWorker,
    });
    const question = 'Can you suggest a pancake recipe?';
    const result = streamText({ model: provider('support-fast'), prompt: question, maxRetries: 0 });
    let text = '';
    for await (const part of result.textStream) text += part;
    expect(text).toBe(cannedAnswer(question));
    const usage = await result.usage;
    expect(usage.totalTokens ?? 0).toBeGreaterThan(0);
  });

  it('surfaces a key’s 429 to the openai SDK as a rate-limit error', async () => {
    useFakeDeepSeek();
    const owner = await registerAndLogin();
    const { key } = await createKey(owner, { requestsPerMinute: 1 });
    const client = new OpenAI({ apiKey: key, baseURL: `${ORIGIN}/v1`, maxRetries: 0, fetch: toWorker });
    await client.models.list();
    await expect(client.models.list()).rejects.toMatchObject({
      status: 429,
      error: { type: 'rate_limit_error', code: 'KEY_RATE_LIMITED' },
    });
  });
});
