import type { ChatCompletionBody } from './deepseek.types';

/** The JSON body DeepSeek receives for one streamed completion. */
export function deepseekRequestBody(body: ChatCompletionBody): Record<string, unknown> {
  const { thinking, temperature, top_p, ...rest } = body;
  const streamed = { ...rest, stream: true, stream_options: { include_usage: true } };
  if (!thinking.enabled) {
    return {
      ...streamed,
      thinking: { type: 'disabled' },
      ...(temperature === undefined ? {} : { temperature }),
      ...(top_p === undefined ? {} : { top_p }),
    };
  }
  // Thinking ignores temperature and top_p: sending them would only suggest they had an effect.
  return { ...streamed, thinking: { type: 'enabled' }, reasoning_effort: thinking.effort };
}
