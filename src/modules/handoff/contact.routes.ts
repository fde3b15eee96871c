import { createRoute, z } from '@hono/zod-openapi';
import {
  authErrors,
  bearerSecurity,
  errorResponse,
  IdParamSchema,
  jsonBody,
  jsonContent,
} from '../../lib/common-schemas';
import { guard } from '../auth/authenticate';
import { CHAT_CALLERS } from '../conversations/conversations.routes';

export const ContactBodySchema = z
  .object({
    email: z.email().max(254).openapi({ example: 'ada@example.com', description: 'Where a person may write back.' }),
  })
  .strict()
  .openapi('HandoffContact');

export const ContactResultSchema = z
  .object({
    contactEmail: z.string(),
    forwarded: z.boolean().openapi({
      description:
        'True when nobody had claimed the handoff in time and the address (with the transcript) was mailed to the support inbox now.',
    }),
  })
  .openapi('HandoffContactResult');

export const leaveContact = createRoute({
  method: 'post',
  path: '/api/v1/conversations/{id}/contact',
  tags: ['Human handoff'],
  security: bearerSecurity,
  summary: 'Leave an email address for a reply (the customer, while waiting for or talking to a person)',
  description:
    'Stores the address on the conversation’s handoff so operators see it. If nobody claimed the handoff within HANDOFF_WAIT_MINUTES, the address and the transcript are also mailed to the support inbox.',
  middleware: guard(CHAT_CALLERS),
  request: { params: IdParamSchema(), body: jsonBody(ContactBodySchema) },
  responses: {
    200: jsonContent(ContactResultSchema, 'Stored.'),
    400: errorResponse('Not a valid email address.'),
    404: errorResponse('No such conversation (or not yours).'),
    409: errorResponse('CONVERSATION_STATE: not waiting for or with a person.'),
    ...authErrors,
  },
});
