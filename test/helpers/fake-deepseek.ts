import { createFakeDeepSeek, type FakeDeepSeekOptions } from '../../scripts/fake-deepseek/handler.mjs';
import type { StreamChatCompletionOptions } from '../../src/modules/provider/deepseek.client';
import type { ProviderEvent } from '../../src/modules/provider/deepseek.types';

export const FAKE_BASE_URL = 'http://fake-deepseek.test';

/** A fresh fake per test, so its counters and fail-times memory belong to that test. */
export function startFake(options: FakeDeepSeekOptions = {}) {
  return createFakeDeepSeek(options);
}

/** Client options aimed at `fake`, sending one user message; override anything. */
export function chatOptions(
  fake: { fetch: (request: Request) => Promise<Response> },
  message: string,
  overrides: Partial<StreamChatCompletionOptions> = {},
): StreamChatCompletionOptions {
  return {
    baseUrl: FAKE_BASE_URL,
    apiKey: 'sk-test-secret-key',
    body: {
      model: 'deepseek-flash',
      thinking: { enabled: false },
      messages: [
        { role: 'system', content: 'You are a support assistant.' },
        { role: 'user', content: message },
      ],
      max_tokens: 256,
      user_id: 'hashed-user-1',
    },
    firstByteTimeoutMs: 2_000,
    totalTimeoutMs: 5_000,
    retryDelayMs: () => 0,
    fetch: fake.fetch,
    ...overrides,
  };
}

/** Drains a stream, keeping what arrived before a failure next to the failure itself. */
export async function drain(
  events: AsyncIterable<ProviderEvent>,
): Promise<{ events: ProviderEvent[]; error?: unknown }> {
  const seen: ProviderEvent[] = [];
  try {
    for await (const event of events) seen.push(event);
    return { events: seen };
  } catch (error) {
    return { events: seen, error };
  }
}

export const textOf = (events: ProviderEvent[], type: 'delta' | 'reasoning' = 'delta') =>
  events.map((e) => (e.type === type ? e.text : '')).join('');

/** Reads a whole SSE body as text lines, for wire-format assertions. */
export async function sseFrames(response: Response): Promise<string[]> {
  return (await response.text()).split('\n\n').filter((frame) => frame !== '');
}
