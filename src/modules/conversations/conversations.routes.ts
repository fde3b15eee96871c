import { createRoute, z } from '@hono/zod-openapi';
import { CONVERSATION_STATES, MESSAGE_ROLES, ROLES, SYSTEM_NOTICES } from '../../db/schema';
import { bearerSecurity, errorResponse, IdParamSchema, jsonContent, pageOf, pageQuery } from '../../lib/common-schemas';
import { guard } from '../auth/authenticate';

const tags = ['Conversations'];

/** Account holders who chat, and website visitors (guests): each sees only their own. */
export const CHAT_CALLERS = ['chat:use', 'chat:guest'] as const;
const security = bearerSecurity;

export const ConversationSchema = z
  .object({
    id: z.string().uuid(),
    title: z.string(),
    messageCount: z.number().int(),
    state: z.enum(CONVERSATION_STATES).openapi({
      description:
        'Who answers: `bot` (the assistant), `waiting` (for a person), `with_operator` (a person), `resolved` (the next message goes back to the assistant).',
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Conversation');

export const MessageSchema = z
  .object({
    id: z.string().uuid(),
    role: z.enum(MESSAGE_ROLES).openapi({
      description: '`operator`: a person from the support team; `system`: a notice (e.g. nobody is available).',
    }),
    content: z.string(),
    source: z.enum(['faq', 'model']).nullable(),
    model: z.string().nullable(),
    incomplete: z
      .boolean()
      .openapi({ description: 'The answer stopped early (stopped by the client, timeout or upstream failure).' }),
    author: z
      .object({ name: z.string(), role: z.enum(ROLES) })
      .nullable()
      .openapi({ description: 'Operator messages: the operator’s display name and role label.' }),
    notice: z.enum(SYSTEM_NOTICES).nullable().openapi({
      description:
        'System messages: what the notice means, for clients to act on. `nobody_available`: nobody claimed the handoff in time; offer the customer to leave an email (POST /api/v1/conversations/{id}/contact).',
    }),
    createdAt: z.string(),
  })
  .openapi('Message');

const IdParam = IdParamSchema();

const authErrors = { 401: errorResponse('Not signed in.'), 403: errorResponse('Your role cannot chat.') };

export const list = createRoute({
  method: 'get',
  path: '/api/v1/conversations',
  tags,
  security,
  summary: 'Your conversations, most recent first',
  middleware: guard(CHAT_CALLERS),
  request: { query: z.object(pageQuery(50)) },
  responses: {
    200: jsonContent(pageOf(ConversationSchema, 'ConversationList'), 'One page.'),
    ...authErrors,
  },
});

export const get = createRoute({
  method: 'get',
  path: '/api/v1/conversations/{id}',
  tags,
  security,
  summary: 'One conversation with its messages',
  description: 'Only the owner sees it; anyone else gets 404.',
  middleware: guard(CHAT_CALLERS),
  request: { params: IdParam },
  responses: {
    200: jsonContent(
      z.object({ conversation: ConversationSchema, messages: z.array(MessageSchema) }),
      'The conversation.',
    ),
    404: errorResponse('No such conversation (or not yours).'),
    ...authErrors,
  },
});

export const remove = createRoute({
  method: 'delete',
  path: '/api/v1/conversations/{id}',
  tags,
  security,
  summary: 'Delete a conversation and its messages',
  middleware: guard(CHAT_CALLERS),
  request: { params: IdParam },
  responses: {
    204: { description: 'Deleted.' },
    404: errorResponse('No such conversation (or not yours).'),
    ...authErrors,
  },
});
