import type { RouteHandler } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { AppError } from '../../lib/errors';
import type { AppEnv } from '../../lib/types';
import { currentUser } from '../auth/authenticate';
import { modelsFor } from '../chat/chat.config';
import { chatDeps } from '../chat/chat.context';
import { startChatTurn } from '../chat/chat.service';
import type { ChatUsage } from '../chat/chat.types';
import { collectTurn } from '../chat/collect-turn';
import type { completions, models } from './openai.routes';

/** Where the official SDKs read DeepSeek's `prompt_cache_hit_tokens` and reasoning tokens. */
const openAIUsage = (u: ChatUsage) => ({
  prompt_tokens: u.promptTokens,
  completion_tokens: u.completionTokens,
  total_tokens: u.totalTokens,
  prompt_tokens_details: { cached_tokens: u.cacheHitTokens },
  completion_tokens_details: { reasoning_tokens: u.reasoningTokens },
});

export const modelsHandler: RouteHandler<typeof models, AppEnv> = (c) => {
  const created = 1_767_225_600; // fixed: these are configuration entries, not releases
  const user = currentUser(c);
  const data = modelsFor(c.get('config').chat, user.role, user.apiKey?.models).map((m) => ({
    id: m.id,
    object: 'model' as const,
    created,
    owned_by: 'support-chat',
  }));
  return c.json({ object: 'list' as const, data }, 200);
};

export const completionsHandler: RouteHandler<typeof completions, AppEnv> = async (c) => {
  const body = c.req.valid('json');
  const last = body.messages.at(-1);
  if (last?.role !== 'user') {
    throw new AppError(400, 'invalid_request_error', 'The last message must be from the user.');
  }
  const history = body.messages.slice(0, -1).map(({ role, content }) => ({ role, content }));
  const requested = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  const abort = new AbortController();
  const turn = await startChatTurn(
    { message: last.content, model: body.model, history, ...(requested ? { maxTokens: requested } : {}) },
    await chatDeps(c, abort),
  );
  // Only stored conversations can be with a person; these callers keep their history themselves.
  if ('held' in turn) throw new Error('an OpenAI-compatible turn was held for an operator');
  const id = `chatcmpl-${turn.meta.messageId.replaceAll('-', '')}`;
  const created = Math.floor(Date.now() / 1000);
  const model = turn.meta.model;

  if (!body.stream) {
    const { answer, usage, finishReason, sources } = await collectTurn(turn);
    return c.json(
      {
        id,
        object: 'chat.completion' as const,
        created,
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant' as const, content: answer },
            finish_reason: finishReason,
            logprobs: null,
          },
        ],
        usage: openAIUsage(usage),
        // Not OpenAI's: the documents the answer was grounded on. SDKs keep unknown fields.
        sources,
      },
      200,
    );
  }

  const includeUsage = body.stream_options?.include_usage === true;
  const chunk = (choices: unknown[], usage?: unknown, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices,
      ...(includeUsage ? { usage: usage ?? null } : {}),
      ...extra,
    });

  return streamSSE(c, async (stream) => {
    stream.onAbort(() => abort.abort());
    await stream.writeSSE({
      data: chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]),
    });
    await turn.run(async (event) => {
      if (stream.aborted) return;
      if (event.type === 'delta') {
        await stream.writeSSE({
          data: chunk([{ index: 0, delta: { content: event.text }, logprobs: null, finish_reason: null }]),
        });
      } else if (event.type === 'done') {
        await stream.writeSSE({
          data: chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: event.finishReason }], undefined, {
            sources: event.sources,
          }),
        });
        if (includeUsage) await stream.writeSSE({ data: chunk([], openAIUsage(event.usage)) });
      } else {
        // OpenAI reports a failure inside a begun stream as an `error` object; the SDK throws it.
        await stream.writeSSE({
          data: JSON.stringify({
            error: { message: event.message, type: 'server_error', param: null, code: event.code },
          }),
        });
      }
    });
    if (!stream.aborted) await stream.writeSSE({ data: '[DONE]' });
  });
};
