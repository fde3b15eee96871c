import { createRoute, z } from '@hono/zod-openapi';
import { errorResponse } from '../../lib/common-schemas';

export const frame = createRoute({
  method: 'get',
  path: '/widget/frame',
  tags: ['Guest chat'],
  summary: 'The chat widget’s frame (loaded by /widget.js into an iframe)',
  description:
    'An HTML page, framable only by the requesting origin when it is on the site’s allowed list (`frame-ancestors`; no X-Frame-Options on this response alone), under the web client’s strict CSP. Served only to iframes where the browser says so (`Sec-Fetch-Dest`).',
  request: {
    // Both are needed; a page answers a missing or malformed one with "no widget" (404/403), not a 400.
    query: z.object({
      site: z.string().max(100).optional().openapi({ description: 'The public site id.' }),
      origin: z
        .string()
        .max(200)
        .optional()
        .openapi({ description: 'The host page’s origin (the loader sends location.origin).' }),
    }),
  },
  responses: {
    200: { description: 'The frame page.', content: { 'text/html': { schema: z.string() } } },
    403: errorResponse('WIDGET_FRAME_ONLY (not an iframe request) or ORIGIN_NOT_ALLOWED.'),
    404: errorResponse('SITE_NOT_FOUND, or guest chat is off for the site.'),
  },
});
