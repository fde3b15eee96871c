import { createRoute, z } from '@hono/zod-openapi';
import { errorResponse, jsonContent } from '../../lib/common-schemas';

export const OutboxSchema = z
  .object({
    messages: z.array(
      z.object({
        to: z.string(),
        subject: z.string(),
        text: z.string(),
        sentAt: z.string().openapi({ format: 'date-time' }),
      }),
    ),
  })
  .openapi('DevOutbox');

export const readDevOutbox = createRoute({
  method: 'get',
  path: '/api/v1/dev/outbox',
  tags: ['Development'],
  summary: 'The development mail outbox',
  description:
    'Mail `npm run dev` kept instead of sending, newest first. Only with `ENVIRONMENT=development` and a loopback ' +
    'host (127.0.0.1, localhost, ::1); 404 everywhere else, so no deployment exposes reset links.',
  responses: {
    200: jsonContent(OutboxSchema, 'The newest 50 messages.'),
    404: errorResponse('Not a local development server.'),
  },
});
