import { SwaggerUI } from '@hono/swagger-ui';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { html, raw } from 'hono/html';
import { AppError } from '../../lib/errors';
import type { AppEnv } from '../../lib/types';
import { VERSION } from '../../version';

/** Where `npm run build:assets` copies swagger-ui-dist, so `/docs` works offline and under our CSP. */
const SWAGGER_ASSETS = '/vendor';

/**
 * Registers `/openapi.json` and `/docs` on the finished app, so the document lists every route.
 * Both answer 404 unless docs are enabled (on by default outside production).
 */
export function registerDocs(app: OpenAPIHono<AppEnv>): void {
  app.use('/openapi.json', docsGate);
  app.use('/docs', docsGate);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An access token from POST /api/v1/auth/login, or an API key (`sk_live_…`) as the bearer value.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKeyAuth', {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description:
      'An API key from POST /api/v1/api-keys. It acts for its owner with its scopes only (chat:use, content:read, content:write).',
  });

  app.doc31('/openapi.json', (c) => ({
    openapi: '3.1.0',
    info: {
      title: 'Support Chat API',
      version: VERSION,
      description:
        'A secure AI customer-support assistant at the edge. Errors share one body: `{"error":{"code","message","requestId"}}`.',
    },
    servers: [{ url: new URL(c.req.url).origin }],
  }));

  app.get('/docs', (c) => {
    const nonce = c.get('secureHeadersNonce');
    const body = SwaggerUI({
      url: '/openapi.json',
      baseUrl: SWAGGER_ASSETS,
      manuallySwaggerUIHtml: (asset) => `
        <div id="swagger-ui"></div>
        ${asset.css.map((href) => `<link rel="stylesheet" href="${href}">`).join('')}
        ${asset.js.map((src) => `<script src="${src}"></script>`).join('')}
        <script nonce="${nonce}">
          window.onload = () => {
            window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });
          };
        </script>`,
    });
    return c.html(
      html`<!doctype html>
        <html lang="en">
          <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>Support Chat API docs</title>
            <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
          </head>
          <body>
            ${raw(body)}
          </body>
        </html>`,
    );
  });
}

const docsGate = createMiddleware<AppEnv>(async function docsGate(c, next) {
  if (!c.get('config').docsEnabled) throw new AppError(404, 'NOT_FOUND', 'The requested resource was not found.');
  await next();
});
