import { describe, expect, it } from 'vitest';
import { eventsFromChunk, MalformedChunkError } from '../../../src/modules/provider/deepseek.chunks';

const chunk = (choice: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, ...choice }], ...extra });

describe('eventsFromChunk', () => {
  it('skips the empty role chunk and empty content', () => {
    expect(eventsFromChunk(chunk({ delta: { role: 'assistant', content: '' }, finish_reason: null }))).toEqual([]);
    expect(eventsFromChunk(chunk({ delta: { content: null, reasoning_content: '' } }))).toEqual([]);
  });

  it('puts usage before finish when both ride on the last chunk', () => {
    const last = chunk(
      { delta: { content: '!' }, finish_reason: 'stop' },
      {
        usage: {
          prompt_tokens: 100,
          completion_tokens: 20,
          total_tokens: 120,
          prompt_cache_hit_tokens: 64,
          prompt_cache_miss_tokens: 36,
        },
      },
    );
    expect(eventsFromChunk(last)).toEqual([
      { type: 'delta', text: '!' },
      {
        type: 'usage',
        usage: {
          promptTokens: 100,
          completionTokens: 20,
          totalTokens: 120,
          promptCacheHitTokens: 64,
          promptCacheMissTokens: 36,
        },
      },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  it('falls back to OpenAI-style cached_tokens and derives what is missing', () => {
    const usageOnly = JSON.stringify({
      choices: [],
      usage: { prompt_tokens: 50, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 10 } },
    });
    expect(eventsFromChunk(usageOnly)).toEqual([
      {
        type: 'usage',
        usage: {
          promptTokens: 50,
          completionTokens: 5,
          totalTokens: 55,
          promptCacheHitTokens: 10,
          promptCacheMissTokens: 40,
        },
      },
    ]);
  });

  it('refuses data that is not a chunk, or a chunk that reports an error', () => {
    expect(() => eventsFromChunk('not json')).toThrow(MalformedChunkError);
    expect(() => eventsFromChunk('42')).toThrow(MalformedChunkError);
    expect(() => eventsFromChunk('{"error":{"message":"boom"}}')).toThrow(MalformedChunkError);
  });
});
