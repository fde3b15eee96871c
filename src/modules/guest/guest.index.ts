import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { createRouter } from '../../lib/create-router';
import { dbOf } from '../../lib/db-context';
import { AppError } from '../../lib/errors';
import { clientIp } from '../../lib/rate-limit/rate-limit.keys';
import type { AppEnv } from '../../lib/types';
import * as routes from './guest.routes';
import { type GuestDeps, renewGuestSession, startGuestSession } from './guest.service';
import { siteverifyVerifier } from './turnstile/siteverify.verifier';

function guestDeps(c: Context<AppEnv>): GuestDeps {
  const config = c.get('config');
  return {
    db: dbOf(c),
    config,
    turnstile: siteverifyVerifier({
      url: config.guest.turnstile.verifyUrl,
      secret: config.guest.turnstile.secret,
      requestId: c.get('requestId'),
    }),
    serviceHostname: new URL(c.req.url).hostname,
    remoteIp: clientIp(c.req.raw.headers, config.rateLimit.trustXForwardedFor),
  };
}

/**
 * The visitor token also rides in a partitioned cookie (CHIPS): browsers that block third-party
 * storage (Safari, Chrome's incognito) leave the frame no localStorage, and this cookie, kept per
 * host site, is what lets a returning visitor continue. HttpOnly: the frame's script never needs it.
 */
const VISITOR_COOKIE = 'sw_visitor';

export const guestRouter = createRouter()
  .openapi(routes.startSession, async (c) => {
    const session = await startGuestSession(guestDeps(c), c.req.valid('json'));
    setCookie(c, VISITOR_COOKIE, session.visitorToken, {
      prefix: 'host',
      path: '/',
      secure: true,
      httpOnly: true,
      sameSite: 'None',
      partitioned: true,
      maxAge: Math.floor(c.get('config').guest.visitorTtlMs / 1000),
    });
    return c.json(session, 201);
  })
  .openapi(routes.renewSession, async (c) => {
    const body = c.req.valid('json');
    let visitorToken = body.visitorToken;
    if (visitorToken === undefined) {
      // The cookie is sent on cross-site requests too (SameSite=None): only the frame, on our own
      // origin, may renew with it.
      if (c.req.header('Origin') !== new URL(c.req.url).origin) {
        throw new AppError(403, 'CSRF_REJECTED', 'This request must come from the chat widget.');
      }
      visitorToken = getCookie(c, VISITOR_COOKIE, 'host');
      if (!visitorToken)
        throw new AppError(401, 'VISITOR_TOKEN_INVALID', 'This chat session has ended. Start a new one.');
    }
    return c.json(await renewGuestSession(guestDeps(c), { visitorToken, identity: body.identity }), 200);
  });
