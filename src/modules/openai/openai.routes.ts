import { createRoute, z } from '@hono/zod-openapi';
import { bearerOrKeySecurity } from '../../lib/common-schemas';
import { guard, turnGuard } from '../auth/authenticate';
import { CompletionRequestSchema, CompletionSchema, ModelListSchema } from './openai.schemas';

const tags = ['OpenAI-compatible'];
const security = bearerOrKeySecurity;

const OpenAIErrorSchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string(),
      param: z.string().nullable(),
      code: z.string(),
      requestId: z.string(),
    }),
  })
  .openapi('OpenAIError');
const openAIError = (description: string) => ({
  content: { 'application/json': { schema: OpenAIErrorSchema } },
  description,
});

export const models = createRoute({
  method: 'get',
  path: '/v1/models',
  tags,
  security,
  summary: 'Models you may use (OpenAI list shape)',
  middleware: guard('chat:use'),
  responses: {
    200: { content: { 'application/json': { schema: ModelListSchema } }, description: 'The models.' },
    401: openAIError('Not signed in.'),
  },
});

export const completions = createRoute({
  method: 'post',
  path: '/v1/chat/completions',
  tags,
  security,
  summary: 'Chat completion (OpenAI-compatible, stream and non-stream)',
  description:
    'Point the official `openai` SDK at `/v1` with an access token as the API key. Send user and assistant turns only: the system prompt is the operator’s. Same limits, budgets and models as `/api/v1/chat`; nothing is stored but usage.',
  // Like /api/v1/chat: the account check runs beside the chat's lookups (startChatTurn awaits it).
  middleware: turnGuard('chat:use'),
  request: { body: { required: true, content: { 'application/json': { schema: CompletionRequestSchema } } } },
  responses: {
    200: {
      content: { 'application/json': { schema: CompletionSchema }, 'text/event-stream': { schema: z.string() } },
      description:
        'A `chat.completion`, or `chat.completion.chunk` events ending with `data: [DONE]` when `stream` is true.',
    },
    400: openAIError('Invalid request (unknown or unsupported fields, a system message, no final user turn).'),
    401: openAIError('Missing or invalid token.'),
    403: openAIError('Your role cannot chat.'),
    429: openAIError('Rate limit, token budget or concurrent streams exceeded.'),
    503: openAIError('The model provider is busy or unavailable.'),
  },
});
