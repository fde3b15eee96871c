import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { getConfig } from './config';
import { indexAllowedMethods } from './lib/allowed-methods';
import { createRouter } from './lib/create-router';
import { AppError } from './lib/errors';
import { setLogLevel } from './lib/logger';
import type { AppEnv } from './lib/types';
import { accessLog } from './middleware/access-log';
import { limitBodySize } from './middleware/body-limit';
import { corsPolicy } from './middleware/cors';
import { emptyJsonBody } from './middleware/empty-json-body';
import { notFoundHandler, onError } from './middleware/error-handler';
import { limitByIp, limitLogin } from './middleware/rate-limit';
import { requestId } from './middleware/request-id';
import { requireJson } from './middleware/require-json';
import { securityHeaders } from './middleware/security-headers';
import { requireTrustedOrigin } from './middleware/trusted-origin';
import { accountsRouter } from './modules/accounts/accounts.index';
import { adminRouter } from './modules/admin/admin.index';
import { apiKeysRouter } from './modules/api-keys/api-keys.index';
import { authRouter } from './modules/auth/auth.index';
import { admitted, authenticate } from './modules/auth/authenticate';
import { chatRouter } from './modules/chat/chat.index';
import { conversationsRouter } from './modules/conversations/conversations.index';
import { registerDocs } from './modules/docs/docs.index';
import { documentsRouter } from './modules/documents/documents.index';
import { faqsRouter } from './modules/faqs/faqs.index';
import { guestRouter } from './modules/guest/guest.index';
import { handoffContactRouter } from './modules/handoff/contact.index';
import { handoffRouter } from './modules/handoff/handoff.index';
import { liveRouter } from './modules/handoff/live/live.index';
import { healthRouter } from './modules/health/health.index';
import { outboxRouter } from './modules/mail/outbox.index';
import { mfaRouter } from './modules/mfa/mfa.index';
import { openaiRouter } from './modules/openai/openai.index';
import { sitesRouter } from './modules/sites/sites.index';
import { usersRouter } from './modules/users/users.index';
import { widgetRouter } from './modules/widget/widget.index';

const apiPrefixes = ['/api/', '/v1/', '/.well-known/'];

/**
 * The one exception to "JSON only" and to MAX_BODY_BYTES: document uploads are multipart/form-data and
 * may be up to DOCUMENT_MAX_BYTES. Their handler requires multipart and counts the bytes while they
 * stream into R2 (src/modules/documents/upload.service.ts). Bearer-only, so a cross-site form cannot use them.
 */
const isDocumentUpload = (c: Context<AppEnv>) =>
  (c.req.method === 'POST' && c.req.path === '/api/v1/documents') ||
  (c.req.method === 'PUT' && /^\/api\/v1\/documents\/[^/]+\/content$/.test(c.req.path));

/**
 * The whole request pipeline, in the order it runs. Each line is one concern; the order is
 * deliberate (DESIGN.md "Request flow") — the request id comes first so every log line and
 * error has one, headers wrap everything so errors carry them too, limits run before any auth
 * or password work.
 *
 * Admission: `authenticate` counts anonymous callers per IP and identifies the rest; nothing acts for
 * an identified caller until their admission (account, per-user and per-IP limits) has passed. Chat
 * turns are mounted before `admitted()` because they admit themselves, with their turn's lease, beside
 * their own lookups; every route mounted after it is admitted before it runs.
 */
export function createApp() {
  const app = createRouter();

  app.use(requestId());
  app.use(accessLog());
  app.use(securityHeaders());
  app.use(loadConfig());
  app.use(corsPolicy());
  app.use(limitBodySize({ exempt: isDocumentUpload }));
  app.use(emptyJsonBody());
  app.use(authenticate());
  app.use('/api/v1/auth/login', limitLogin());
  app.use('/api/v1/auth/register', limitByIp('registerIp'));
  app.use('/api/v1/auth/refresh', limitByIp('refreshIp'));
  // Links and codes anyone can try: verification, resend, forgot, reset, sign-in link, the second factor.
  for (const path of [
    '/api/v1/auth/email/*',
    '/api/v1/auth/password/*',
    '/api/v1/auth/login/link',
    '/api/v1/auth/mfa/verify',
  ]) {
    app.use(path, limitByIp('accountIp'));
  }
  // Cookie-authenticated endpoints get their CSRF check before the generic JSON rule, so they answer 403.
  app.use('/api/v1/auth/refresh', requireTrustedOrigin());
  app.use('/api/v1/auth/logout', requireTrustedOrigin());
  for (const prefix of apiPrefixes) app.use(`${prefix}*`, requireJson({ exempt: isDocumentUpload }));

  app.route('/', chatRouter);
  app.route('/', openaiRouter);
  app.use(admitted());
  app.route('/', healthRouter);
  app.route('/', authRouter);
  app.route('/', accountsRouter);
  app.route('/', mfaRouter);
  app.route('/', usersRouter);
  app.route('/', adminRouter);
  app.route('/', conversationsRouter);
  app.route('/', faqsRouter);
  app.route('/', documentsRouter);
  app.route('/', apiKeysRouter);
  app.route('/', sitesRouter);
  app.route('/', handoffRouter);
  app.route('/', liveRouter);
  app.route('/', guestRouter);
  app.route('/', widgetRouter);
  app.route('/', handoffContactRouter);
  app.route('/', outboxRouter);

  registerDocs(app);

  app.onError(onError);
  const allowedMethods = indexAllowedMethods(app.routes);
  const apiNotFound = notFoundHandler(allowedMethods);
  app.notFound((c) => (isAssetRequest(c) ? serveAsset(c) : apiNotFound(c)));
  return app;
}

function isAssetRequest(c: Context<AppEnv>): boolean {
  const { method, path } = c.req;
  return (method === 'GET' || method === 'HEAD') && !apiPrefixes.some((prefix) => path.startsWith(prefix));
}

/** Static files (web client, vendored Swagger UI) from Workers assets; misses become our JSON 404. */
async function serveAsset(c: Context<AppEnv>): Promise<Response> {
  const res = await c.env.ASSETS.fetch(c.req.raw);
  if (res.status === 404) throw new AppError(404, 'NOT_FOUND', 'The requested resource was not found.');
  // Assets responses are immutable; copy so our middleware can add headers.
  return new Response(res.body, res);
}

/** Parses `env` (once per isolate) and fails the request with a logged ConfigError if it is unusable. */
const loadConfig = () =>
  createMiddleware<AppEnv>(async function loadConfig(c, next) {
    const config = getConfig(c.env);
    setLogLevel(config.logLevel);
    c.set('config', config);
    await next();
  });
