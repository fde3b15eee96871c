import { createRoute, z } from '@hono/zod-openapi';
import { bearerSecurity, errorResponse, IdParamSchema, jsonBody, jsonContent } from '../../lib/common-schemas';
import { guard } from '../auth/authenticate';
import { CHAT_CALLERS, MessageSchema } from '../conversations/conversations.routes';
import {
  HandoffBodySchema,
  InboxItemSchema,
  InboxSchema,
  LiveMessageSchema,
  ReplyBodySchema,
  TransitionResultSchema,
} from './handoff.schemas';

const tags = ['Human handoff'];
const security = bearerSecurity;
const IdParam = IdParamSchema();
const OPERATORS = 'inbox:operate';

const authErrors = { 401: errorResponse('Not signed in.'), 403: errorResponse('Not allowed for your role.') };
const conflicts = errorResponse(
  'CONVERSATION_STATE (not a move its state allows) or ALREADY_CLAIMED (another operator holds it).',
);

export const requestHandoff = createRoute({
  method: 'post',
  path: '/api/v1/conversations/{id}/handoff',
  tags,
  security,
  summary: 'Ask for a person (the customer’s “Talk to a person”)',
  description:
    'bot or resolved → waiting. The assistant stops answering; messages sent to POST /api/v1/chat are then answered 202 and delivered to the operators. Operators see it in their inbox at once; a webhook fires if configured.',
  middleware: guard(CHAT_CALLERS),
  // Both fields are optional, so is the body.
  request: { params: IdParam, body: { ...jsonBody(HandoffBodySchema), required: false } },
  responses: {
    200: jsonContent(TransitionResultSchema, 'Waiting for a person.'),
    400: errorResponse('Invalid reason or email.'),
    404: errorResponse('No such conversation (or not yours).'),
    409: errorResponse('CONVERSATION_STATE: already waiting for or with a person.'),
    ...authErrors,
  },
});

export const inbox = createRoute({
  method: 'get',
  path: '/api/v1/inbox',
  tags,
  security,
  summary: 'The operators’ inbox: waiting, yours, others’ (moderator, admin)',
  middleware: guard(OPERATORS),
  responses: { 200: jsonContent(InboxSchema, 'The inbox.'), ...authErrors },
});

export const inboxConversation = createRoute({
  method: 'get',
  path: '/api/v1/inbox/conversations/{id}',
  tags,
  security,
  summary: 'A conversation as an operator sees it, with its messages (audited)',
  description:
    'Guest conversations and conversations in a handoff state only; a signed-in customer’s other conversations are 404. Every read is recorded in the audit log.',
  middleware: guard(OPERATORS),
  request: { params: IdParam },
  responses: {
    200: jsonContent(
      z.object({ item: InboxItemSchema, messages: z.array(MessageSchema) }).openapi('InboxConversation'),
      'The conversation.',
    ),
    404: errorResponse('No such conversation (or not one operators see).'),
    ...authErrors,
  },
});

const operatorAction = (path: string, summary: string, description: string) =>
  createRoute({
    method: 'post',
    path: `/api/v1/conversations/{id}/${path}`,
    tags,
    security,
    summary,
    description,
    middleware: guard(OPERATORS),
    request: { params: IdParam },
    responses: {
      200: jsonContent(TransitionResultSchema, 'The conversation in its new state.'),
      404: errorResponse('No such conversation (or not one operators see).'),
      409: conflicts,
      ...authErrors,
    },
  });

export const claim = operatorAction(
  'claim',
  'Take a conversation (moderator, admin)',
  'waiting → with_operator, or bot → with_operator (take-over of a guest conversation). Exclusive: of two operators claiming at once exactly one wins; the other gets 409 ALREADY_CLAIMED. Claiming one you already hold is a no-op.',
);

export const resolve = operatorAction(
  'resolve',
  'Mark a conversation resolved (moderator, admin)',
  'with_operator (yours) or waiting → resolved. The customer’s next message goes to the assistant again.',
);

export const release = operatorAction(
  'release',
  'Hand a conversation back to the assistant (moderator, admin)',
  'with_operator (yours) or waiting → bot.',
);

export const reply = createRoute({
  method: 'post',
  path: '/api/v1/conversations/{id}/messages',
  tags,
  security,
  summary: 'Reply to the customer as an operator (moderator, admin)',
  description:
    'Only the operator holding the conversation (with_operator). Stored with your display name and role label and delivered live.',
  middleware: guard(OPERATORS),
  request: { params: IdParam, body: jsonBody(ReplyBodySchema) },
  responses: {
    201: jsonContent(z.object({ message: LiveMessageSchema }), 'Sent.'),
    400: errorResponse('EMPTY_MESSAGE or MESSAGE_TOO_LONG.'),
    404: errorResponse('No such conversation (or not one operators see).'),
    409: errorResponse('CONVERSATION_STATE (claim it first), ALREADY_CLAIMED or CONVERSATION_FULL.'),
    ...authErrors,
  },
});
