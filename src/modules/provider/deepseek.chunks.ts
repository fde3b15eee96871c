import type { ProviderEvent, ProviderUsage, WireChunk, WireUsage } from './deepseek.types';
import { defaultStreamLimits } from './stream-limits';
import { ToolCallAssembler } from './tool-calls';

/** Thrown for a data line that is not a chunk; the client turns it into an upstream error. */
export class MalformedChunkError extends Error {
  override name = 'MalformedChunkError';
}

/**
 * One `data:` payload → the events it carries, in wire order: reasoning, then content, then the
 * completed tool calls, usage, then finish (DeepSeek puts usage and `finish_reason` on the same last
 * chunk; usage goes first so a caller that stops at `finish` still has it). Tool calls arrive in
 * pieces over many chunks: pass one `toolCalls` assembler for a whole stream.
 */
export function eventsFromChunk(data: string, toolCalls = new ToolCallAssembler(defaultStreamLimits)): ProviderEvent[] {
  let chunk: WireChunk;
  try {
    chunk = JSON.parse(data) as WireChunk;
  } catch {
    throw new MalformedChunkError('chunk is not JSON');
  }
  if (typeof chunk !== 'object' || chunk === null) throw new MalformedChunkError('chunk is not an object');
  if (chunk.error !== undefined && chunk.error !== null) throw new MalformedChunkError('chunk carries an error');

  const events: ProviderEvent[] = [];
  let finish: string | undefined;
  for (const choice of chunk.choices ?? []) {
    const reasoning = choice.delta?.reasoning_content;
    if (typeof reasoning === 'string' && reasoning !== '') events.push({ type: 'reasoning', text: reasoning });
    const content = choice.delta?.content;
    if (typeof content === 'string' && content !== '') events.push({ type: 'delta', text: content });
    const calls = choice.delta?.tool_calls;
    if (Array.isArray(calls)) toolCalls.add(calls);
    if (typeof choice.finish_reason === 'string') finish = choice.finish_reason;
  }
  if (finish !== undefined) events.push(...toolCalls.complete());
  if (chunk.usage) events.push({ type: 'usage', usage: usageFromWire(chunk.usage) });
  if (finish !== undefined) events.push({ type: 'finish', reason: finish });
  return events;
}

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

function usageFromWire(wire: WireUsage): ProviderUsage {
  const promptTokens = count(wire.prompt_tokens);
  const completionTokens = count(wire.completion_tokens);
  // DeepSeek's own cache fields first; OpenAI's `cached_tokens` as the fallback other upstreams send.
  const hit = wire.prompt_cache_hit_tokens ?? wire.prompt_tokens_details?.cached_tokens;
  const usage: ProviderUsage = {
    promptTokens,
    completionTokens,
    totalTokens: count(wire.total_tokens) || promptTokens + completionTokens,
    promptCacheHitTokens: count(hit),
    promptCacheMissTokens: count(wire.prompt_cache_miss_tokens ?? promptTokens - count(hit)),
  };
  const reasoning = wire.completion_tokens_details?.reasoning_tokens;
  if (typeof reasoning === 'number') usage.reasoningTokens = reasoning;
  return usage;
}
