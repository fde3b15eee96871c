import type { FinishReason, ProviderEvent, ProviderUsage } from '../../src/modules/provider/deepseek.types';

export type CollectedCompletion = {
  /** The answer: content deltas only, never reasoning. */
  text: string;
  /** A thinking model's reasoning, kept apart so it is never shown or stored as the answer. */
  reasoning: string;
  usage: ProviderUsage | undefined;
  finishReason: FinishReason | undefined;
  /** Complete function calls, in the order the stream gave them. */
  toolCalls: { id: string; name: string; arguments: string }[];
};

/** Drains a client stream into one answer, so a test can compare it whole. Errors propagate as thrown. */
export async function collectCompletion(events: AsyncIterable<ProviderEvent>): Promise<CollectedCompletion> {
  const text: string[] = [];
  const reasoning: string[] = [];
  let usage: ProviderUsage | undefined;
  let finishReason: FinishReason | undefined;
  const toolCalls: CollectedCompletion['toolCalls'] = [];
  for await (const event of events) {
    if (event.type === 'delta') text.push(event.text);
    else if (event.type === 'reasoning') reasoning.push(event.text);
    else if (event.type === 'usage') usage = event.usage;
    else if (event.type === 'tool_call') toolCalls.push({ id: event.id, name: event.name, arguments: event.arguments });
    else finishReason = event.reason;
  }
  return { text: text.join(''), reasoning: reasoning.join(''), usage, finishReason, toolCalls };
}
