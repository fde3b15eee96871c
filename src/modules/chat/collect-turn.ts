import type { ConversationState } from '../../db/schema';
import { ProviderError } from '../provider/provider.errors';
import type { ChatTurn, ChatUsage, Source } from './chat.types';

export type CollectedTurn = {
  answer: string;
  usage: ChatUsage;
  finishReason: string;
  state: ConversationState;
  processingMs: number;
  sources: Source[];
};

/**
 * Runs a turn into one answer for `stream: false` callers. A failure becomes the provider error it
 * was, so the response gets that error's own status (503 busy, 504 timeout, …).
 */
export async function collectTurn(turn: ChatTurn): Promise<CollectedTurn> {
  const parts: string[] = [];
  let collected: CollectedTurn | undefined;
  let failure: ProviderError | undefined;
  await turn.run((event) => {
    if (event.type === 'delta') parts.push(event.text);
    else if (event.type === 'error') failure = new ProviderError(event.code);
    else {
      const { usage, finishReason, processingMs, sources, state } = event;
      collected = { answer: parts.join(''), usage, finishReason, processingMs, sources, state };
    }
  });
  if (failure) throw failure;
  if (!collected) throw new ProviderError('UPSTREAM_STREAM_CUT');
  return collected;
}
