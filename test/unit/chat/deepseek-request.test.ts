import { describe, expect, it } from 'vitest';
import { deepseekRequestBody } from '../../../src/modules/provider/deepseek.request';
import type { ChatCompletionBody } from '../../../src/modules/provider/deepseek.types';

const body = (overrides: Partial<ChatCompletionBody> = {}): ChatCompletionBody => ({
  model: 'deepseek-flash',
  thinking: { enabled: false },
  messages: [{ role: 'user', content: 'hi' }],
  max_tokens: 64,
  user_id: 'u1',
  ...overrides,
});

describe('deepseekRequestBody', () => {
  it('disables thinking explicitly, since DeepSeek thinks by default, and keeps sampling parameters', () => {
    expect(deepseekRequestBody(body({ temperature: 0.5, top_p: 0.9 }))).toEqual({
      model: 'deepseek-flash',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 64,
      user_id: 'u1',
      temperature: 0.5,
      top_p: 0.9,
      thinking: { type: 'disabled' },
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('enables thinking with its effort and leaves out the sampling parameters thinking ignores', () => {
    const sent = deepseekRequestBody(body({ thinking: { enabled: true, effort: 'high' }, temperature: 0.5, top_p: 1 }));
    expect(sent).toMatchObject({ thinking: { type: 'enabled' }, reasoning_effort: 'high', stream: true });
    expect(sent).not.toHaveProperty('temperature');
    expect(sent).not.toHaveProperty('top_p');
  });
});
