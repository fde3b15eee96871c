import type { Context } from 'hono';
import { createRouter } from '../../lib/create-router';
import { dbOf } from '../../lib/db-context';
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

export const guestRouter = createRouter()
  .openapi(routes.startSession, async (c) => c.json(await startGuestSession(guestDeps(c), c.req.valid('json')), 201))
  .openapi(routes.renewSession, async (c) => c.json(await renewGuestSession(guestDeps(c), c.req.valid('json')), 200));
