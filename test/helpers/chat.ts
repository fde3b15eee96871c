import { vi } from 'vitest';
import { createFakeDeepSeek, type FakeDeepSeekOptions } from '../../scripts/fake-deepseek/handler.mjs';

/** Where the service looks for the fake DeepSeek when no API key is configured (tests have none). */
export const FAKE_UPSTREAM = 'http://127.0.0.1:8788';

/**
 * Routes the Worker's outbound calls to the fake DeepSeek, at the network boundary (global fetch),
 * and keeps every other destination failing as `no-network.ts` arranged.
 */
export function useFakeDeepSeek(options: FakeDeepSeekOptions = {}) {
  const fake = createFakeDeepSeek(options);
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (request.url.startsWith(`${FAKE_UPSTREAM}/`)) return fake.fetch(request);
    throw new Error(`Unexpected outbound fetch in a test: ${request.url}`);
  });
  return fake;
}

export type SseEvent = { event: string; data: Record<string, unknown> };

/** Reads a whole `text/event-stream` body into its named events. */
export async function readSse(res: Response): Promise<SseEvent[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      const lines = frame.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

export const answerOf = (events: SseEvent[]) =>
  events
    .filter((e) => e.event === 'delta')
    .map((e) => e.data.text)
    .join('');

/** A customer's message as the prompt carries it to the model: fenced as data. */
export const asCustomer = (text: string) => `<customer>\n${text}\n</customer>`;
