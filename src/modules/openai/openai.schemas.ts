import { z } from '@hono/zod-openapi';

/**
 * The subset of OpenAI's chat request we honour. Strict: tools, functions, response formats,
 * logit bias, n > 1 and client system prompts are refused rather than silently ignored — the
 * system prompt is the operator's, and the assistant has no tools.
 */
export const CompletionRequestSchema = z
  .object({
    model: z.string().max(64),
    messages: z
      .array(
        z
          .object({
            role: z.enum(['user', 'assistant']),
            content: z.string().max(32_000),
            name: z.string().max(64).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(100),
    stream: z.boolean().default(false),
    stream_options: z.object({ include_usage: z.boolean().optional() }).strict().nullish(),
    max_tokens: z.number().int().min(1).max(32_768).nullish(),
    max_completion_tokens: z.number().int().min(1).max(32_768).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    n: z.literal(1).nullish(),
    user: z.string().max(256).optional(),
  })
  .strict()
  .openapi('ChatCompletionRequest');

export type CompletionRequest = z.infer<typeof CompletionRequestSchema>;

export const CompletionSchema = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        message: z.object({ role: z.literal('assistant'), content: z.string() }),
        finish_reason: z.string(),
        logprobs: z.null(),
      }),
    ),
    usage: z.object({
      prompt_tokens: z.number().int(),
      completion_tokens: z.number().int(),
      total_tokens: z.number().int(),
      prompt_tokens_details: z.object({ cached_tokens: z.number().int() }),
      completion_tokens_details: z.object({ reasoning_tokens: z.number().int() }),
    }),
    sources: z.array(z.object({ documentId: z.string(), name: z.string(), section: z.string().nullable() })).openapi({
      description:
        'An extension: documents the answer was grounded on (also on the streamed chunk carrying finish_reason).',
    }),
  })
  .openapi('ChatCompletion');

export const ModelListSchema = z
  .object({
    object: z.literal('list'),
    data: z.array(
      z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string() }),
    ),
  })
  .openapi('ModelList');
