import { createRoute, z } from '@hono/zod-openapi';
import { errorResponse, jsonContent } from '../../lib/common-schemas';
import { guard } from '../auth/authenticate';

const seconds = (description: string) => z.number().int().nullable().openapi({ description });

const HandoffDaySchema = z
  .object({
    date: z.string().openapi({ description: 'UTC day the handoffs were asked for (YYYY-MM-DD).' }),
    handoffs: z.number().int().openapi({ description: 'Handoffs asked for by customers or the assistant.' }),
    claimed: z.number().int().openapi({ description: 'Of those, claimed by an operator.' }),
    timedOut: z.number().int().openapi({ description: 'Of those, unclaimed after HANDOFF_WAIT_MINUTES.' }),
    medianClaimSeconds: seconds('Median time from request to claim; null without claims.'),
    averageClaimSeconds: seconds('Mean time from request to claim; null without claims.'),
    medianResolveSeconds: seconds('Median time from request to resolved; null without resolutions.'),
    averageResolveSeconds: seconds('Mean time from request to resolved; null without resolutions.'),
  })
  .openapi('HandoffDay');

export const StatsSchema = z
  .object({
    users: z.object({
      total: z.number().int(),
      byRole: z.object({
        admin: z.number().int(),
        moderator: z.number().int(),
        user: z.number().int(),
        viewer: z.number().int(),
      }),
      active: z.number().int(),
      inactive: z.number().int(),
      locked: z.number().int(),
    }),
    chat: z.object({
      conversations: z.number().int(),
      messages: z.number().int(),
      chats: z.number().int().openapi({ description: 'Answered turns, from the FAQ or the model.' }),
      faqAnswers: z.number().int(),
      faqHitRate: z.number().openapi({ description: 'faqAnswers / chats (0–1).' }),
      promptTokens: z.number().int(),
      completionTokens: z.number().int(),
      tokensByDay: z.array(
        z.object({
          date: z.string(),
          promptTokens: z.number().int(),
          completionTokens: z.number().int(),
          chats: z.number().int(),
        }),
      ),
    }),
    handoffs: z.object({
      byDay: z.array(HandoffDaySchema).openapi({
        description:
          'The last 14 UTC days, oldest first, by the day each handoff was asked for. Operator take-overs are not counted.',
      }),
    }),
  })
  .openapi('AdminStats');

export const stats = createRoute({
  method: 'get',
  path: '/api/v1/admin/stats',
  tags: ['Admin'],
  security: [{ bearerAuth: [] }],
  summary: 'Usage figures (admin)',
  middleware: guard('admin:stats'),
  responses: {
    200: jsonContent(StatsSchema, 'Current figures.'),
    401: errorResponse('Not signed in.'),
    403: errorResponse('Not an admin.'),
  },
});
