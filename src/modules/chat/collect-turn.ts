import type { ChatEvent, ChatUsage } from './chat.types';
import { ProviderError } from './provider/provider.errors';

export type CollectedTurn = { answer: string; usage: ChatUsage; finishReason: string; processingMs: number };

/**
 * Drains a turn's events into one answer for `stream: false` callers. A failure becomes the
 * provider error it was, so the response gets that error's own status (503 busy, 504 timeout, …).
 */
export async function collectTurn(events: AsyncIterable<ChatEvent>): Promise<CollectedTurn> {
  const parts: string[] = [];
  for await (const event of events) {
    if (event.type === 'delta') parts.push(event.text);
    else if (event.type === 'error') throw new ProviderError(event.code);
    else
      return {
        answer: parts.join(''),
        usage: event.usage,
        finishReason: event.finishReason,
        processingMs: event.processingMs,
      };
  }
  throw new ProviderError('UPSTREAM_STREAM_CUT');
}
