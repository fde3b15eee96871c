import { createRoute, z } from '@hono/zod-openapi';
import { jsonContent } from '../../lib/common-schemas';

export const HealthSchema = z
  .object({ status: z.literal('ok'), version: z.string().openapi({ example: '0.1.0' }) })
  .openapi('Health');

export const health = createRoute({
  method: 'get',
  path: '/api/v1/health',
  tags: ['System'],
  summary: 'Liveness check',
  description: 'Answers without touching storage or upstreams, so it stays fast and cheap to poll.',
  responses: { 200: jsonContent(HealthSchema, 'The service is up.') },
});
