import { createRoute, z } from '@hono/zod-openapi';
import { CONVERSATION_STATES } from '../../db/schema';
import { bearerOrKeySecurity, errorResponse, jsonContent } from '../../lib/common-schemas';
import { guard, turnGuard } from '../auth/authenticate';
import { CHAT_CALLERS } from '../conversations/conversations.routes';
import { HeldMessageSchema } from '../handoff/handoff.schemas';

const tags = ['Chat'];
const security = bearerOrKeySecurity;

export const ChatBodySchema = z
  .object({
    // Bounded here against abuse; the configured (smaller) limit and emptiness are checked with their own codes.
    message: z.string().max(32_000).openapi({ example: 'When do you deliver on Sundays?' }),
    conversationId: z.string().uuid().optional(),
    model: z.string().max(64).optional().openapi({
      description: 'A public model id your role may use (see GET /api/v1/chat/config); the default otherwise.',
      example: 'support-fast',
    }),
    stream: z
      .boolean()
      .default(true)
      .openapi({ description: 'false returns one JSON body instead of server-sent events.' }),
  })
  .strict()
  .openapi('ChatRequest');

const UsageSchema = z
  .object({
    promptTokens: z.number().int(),
    completionTokens: z.number().int(),
    totalTokens: z.number().int(),
    cacheHitTokens: z.number().int(),
    reasoningTokens: z
      .number()
      .int()
      .openapi({ description: 'Part of completionTokens spent on reasoning, which is never shown.' }),
  })
  .openapi('ChatUsage');

export const SourceSchema = z
  .object({
    documentId: z.string().uuid(),
    name: z.string(),
    section: z.string().nullable().openapi({ description: 'The heading the text sits under ("Page 3" in a PDF).' }),
  })
  .openapi('ChatSource');

export const ChatResponseSchema = z
  .object({
    conversationId: z.string().uuid(),
    messageId: z.string().uuid(),
    model: z.string(),
    source: z.enum(['faq', 'model']),
    answer: z.string(),
    usage: UsageSchema,
    finishReason: z.string(),
    processingMs: z.number().int(),
    state: z.enum(CONVERSATION_STATES).openapi({
      description: 'The conversation’s state after this turn: `waiting` when the assistant handed it to a person.',
    }),
    sources: z.array(SourceSchema).openapi({
      description:
        'Published documents the answer was grounded on (open with GET /api/v1/documents/{documentId}/content); empty for FAQ answers.',
    }),
  })
  .openapi('ChatResponse');

const sseDescription = `Server-sent events (default), one JSON object per event:
- \`event: meta\` {conversationId, messageId, model, source: "faq"|"model"}
- \`event: delta\` {text} — repeated, as the answer streams
- \`event: done\` {usage, finishReason, processingMs, sources: [{documentId, name, section}], state} — last, on success; sources are the documents the answer was grounded on; state is the conversation's state after the turn ("waiting" when the assistant handed it to a person: it is sent once the handoff is stored)
- \`event: error\` {code, message} — last, when the answer broke off (e.g. UPSTREAM_BUSY, UPSTREAM_TIMEOUT)`;

export const chat = createRoute({
  method: 'post',
  path: '/api/v1/chat',
  tags,
  security,
  summary: 'Ask the assistant',
  description:
    'Answers from the FAQ knowledge base when a question matches strongly (zero tokens), otherwise streams from the model, grounded on the best FAQ matches and chunks of published documents (cited in `sources`). Account holders need chat:use; website visitors chat with a guest access token (chat:guest) under their site’s limits.',
  // The turn admits itself beside its own lookups (startChatTurn); nothing acts before that passes.
  middleware: turnGuard(CHAT_CALLERS),
  request: { body: { required: true, content: { 'application/json': { schema: ChatBodySchema } } } },
  responses: {
    202: jsonContent(
      HeldMessageSchema,
      'The conversation is waiting for or with a person: the message was stored and delivered to the operators; the model was not asked.',
    ),
    200: {
      description: sseDescription,
      content: {
        'text/event-stream': { schema: z.string() },
        'application/json': { schema: ChatResponseSchema },
      },
    },
    400: errorResponse('EMPTY_MESSAGE, MESSAGE_TOO_LONG, MODEL_NOT_AVAILABLE or invalid input.'),
    401: errorResponse('Not signed in.'),
    403: errorResponse('Your role cannot chat.'),
    404: errorResponse('No such conversation (or not yours).'),
    409: errorResponse('CONVERSATION_FULL, or CONVERSATION_BUSY while its previous answer is still being written.'),
    429: errorResponse('RATE_LIMITED, TOKEN_BUDGET_EXCEEDED or TOO_MANY_STREAMS.'),
    502: errorResponse('The model provider failed.'),
    503: errorResponse('UPSTREAM_BUSY or ASSISTANT_UNAVAILABLE.'),
    504: errorResponse('UPSTREAM_TIMEOUT.'),
  },
});

export const chatConfig = createRoute({
  method: 'get',
  path: '/api/v1/chat/config',
  tags,
  security,
  summary: 'Models you may use, and whether answers are canned',
  middleware: guard('self:read'),
  responses: {
    200: jsonContent(
      z
        .object({
          models: z.array(z.object({ id: z.string(), default: z.boolean() })),
          canned: z.boolean().openapi({ description: 'True when the service runs on the local fake DeepSeek.' }),
          assistantName: z.string(),
        })
        .openapi('ChatConfig'),
      'Chat settings for the caller.',
    ),
    401: errorResponse('Not signed in.'),
  },
});
