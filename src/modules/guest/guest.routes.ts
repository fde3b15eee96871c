import { createRoute, z } from '@hono/zod-openapi';
import { errorResponse, jsonBody, jsonContent } from '../../lib/common-schemas';

const tags = ['Guest chat'];

const IdentitySchema = z
  .object({
    id: z.string().min(1).max(128),
    email: z.string().min(3).max(254),
    expires: z.number().int().openapi({ description: 'Unix seconds; at most 31 days ahead.' }),
    signature: z
      .string()
      .max(128)
      .openapi({ description: 'Hex HMAC-SHA256 of `id|email|expires` with the site’s identity secret.' }),
  })
  .strict()
  .openapi('SignedIdentity', {
    description:
      'Optional. Made by the site’s own server and passed by the host page (`SupportWidget.identify`). A valid one marks the visitor’s conversations as that customer; an invalid or expired one is ignored.',
  });

const SessionFields = {
  accessToken: z.string().openapi({ description: 'A guest access token: role `guest`, permission chat:guest only.' }),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int(),
  visitorId: z.string().uuid(),
  visitorExpiresAt: z.string().openapi({ description: 'When the visitor token stops renewing (GUEST_VISITOR_DAYS).' }),
  identified: z.boolean().openapi({ description: 'Whether a signed identity was given and verified.' }),
};

export const startSession = createRoute({
  method: 'post',
  path: '/api/v1/guest/sessions',
  tags,
  summary: 'Start a guest chat (the widget frame, after Turnstile)',
  description:
    'Verifies the Turnstile token on the server (siteverify; hostname and action as configured; a token works once) and answers with a short guest access token and a long-lived visitor token.',
  request: {
    body: jsonBody(
      z
        .object({
          siteId: z.string().uuid(),
          turnstileToken: z.string().min(1).max(4096),
          identity: IdentitySchema.optional(),
        })
        .strict()
        .openapi('StartGuestSession'),
    ),
  },
  responses: {
    201: jsonContent(
      z
        .object({
          ...SessionFields,
          visitorToken: z
            .string()
            .openapi({ description: 'Keep it in the frame’s own storage; renews the access token.' }),
        })
        .openapi('GuestSession'),
      'A guest session.',
    ),
    400: errorResponse('Invalid input.'),
    403: errorResponse('TURNSTILE_FAILED, or GUEST_CHAT_DISABLED on this site.'),
    404: errorResponse('SITE_NOT_FOUND.'),
    429: errorResponse('RATE_LIMITED (per IP).'),
    503: errorResponse('TURNSTILE_UNAVAILABLE: siteverify did not answer.'),
  },
});

export const renewSession = createRoute({
  method: 'post',
  path: '/api/v1/guest/sessions/renew',
  tags,
  summary: 'A new guest access token for a returning visitor',
  request: {
    // Optional: an empty body renews with the partitioned cookie.
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z
            .object({
              visitorToken: z.string().min(10).max(200).optional().openapi({
                description:
                  'From the frame’s storage; omitted, the partitioned `__Host-sw_visitor` cookie set with the session is used (only from the service’s own origin).',
              }),
              identity: IdentitySchema.optional(),
            })
            .strict()
            .openapi('RenewGuestSession'),
        },
      },
    },
  },
  responses: {
    200: jsonContent(z.object(SessionFields).openapi('RenewedGuestSession'), 'A new access token.'),
    400: errorResponse('Invalid input.'),
    401: errorResponse('VISITOR_TOKEN_INVALID: unknown or expired.'),
    403: errorResponse('GUEST_CHAT_DISABLED on this site, or CSRF_REJECTED (cookie renewal from another origin).'),
    429: errorResponse('RATE_LIMITED (per IP).'),
  },
});
