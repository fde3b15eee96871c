import type { Context } from 'hono';
import { createRouter } from '../../../lib/create-router';
import { dbOf } from '../../../lib/db-context';
import { AppError } from '../../../lib/errors';
import { sha256Hex } from '../../../lib/opaque-token';
import type { AppEnv } from '../../../lib/types';
import { audit } from '../../audit/audit.service';
import { currentUser } from '../../auth/authenticate';
import { conversationAccess } from '../handoff.access';
import { conversationChannel, INBOX_CHANNEL, liveChannel } from './live.client';
import * as routes from './live.routes';
import { LIVE_REFUSED_HEADER } from './live.types';
import { issueLiveTicket, refuseApiKeys, TICKET_FORMAT } from './live-ticket.service';

export const liveRouter = createRouter()
  .openapi(routes.conversationTicket, async (c) => {
    const { id } = c.req.valid('param');
    refuseApiKeys(currentUser(c));
    const { as } = await conversationAccess(dbOf(c), currentUser(c), id);
    // Following a customer's conversation live is reading it: on record, like every operator read.
    if (as === 'operator') {
      await audit(dbOf(c), {
        actorId: currentUser(c).id,
        action: 'conversation_read',
        targetId: id,
        outcome: 'success',
        detail: { live: true },
        requestId: c.get('requestId'),
      });
    }
    const target = {
      channel: conversationChannel(id),
      path: `/api/v1/live/conversations/${id}`,
      as: as === 'owner' ? 'customer' : 'operator',
    } as const;
    return c.json(await issueLiveTicket(dbOf(c), c.env.LIVE, currentUser(c), target, c.req.url), 200);
  })
  .openapi(routes.inboxTicket, async (c) => {
    const target = { channel: INBOX_CHANNEL, path: '/api/v1/live/inbox', as: 'operator' } as const;
    const ticket = await issueLiveTicket(dbOf(c), c.env.LIVE, currentUser(c), target, c.req.url);
    // Following the inbox live is reading it.
    await audit(dbOf(c), {
      actorId: currentUser(c).id,
      action: 'inbox_read',
      outcome: 'success',
      detail: { live: true },
      requestId: c.get('requestId'),
    });
    return c.json(ticket, 200);
  })
  .openapi(routes.conversationSocket, (c) =>
    connect(c, conversationChannel(c.req.valid('param').id), c.req.valid('query')),
  )
  .openapi(routes.inboxSocket, (c) => connect(c, INBOX_CHANNEL, c.req.valid('query')));

const invalidTicket = () =>
  new AppError(401, 'INVALID_TICKET', 'The live ticket is missing, used or expired. Ask for a new one.');

/**
 * Hands the upgrade to the channel, which redeems the ticket (only its hash leaves this function) and
 * checks its holder again. The 101 is rebuilt here so the app's middleware can add its headers.
 */
async function connect(
  c: Context<AppEnv>,
  channel: string,
  query: { ticket?: string | undefined; after?: number | undefined },
) {
  if (c.req.header('Upgrade')?.toLowerCase() !== 'websocket') {
    throw new AppError(426, 'UPGRADE_REQUIRED', 'Connect to this URL with a WebSocket.', {
      headers: { Upgrade: 'websocket' },
    });
  }
  if (query.ticket === undefined || !TICKET_FORMAT.test(query.ticket)) throw invalidTicket();
  const forward = new URL('https://live-channel/connect');
  forward.searchParams.set('ticket', await sha256Hex(query.ticket));
  if (query.after !== undefined) forward.searchParams.set('after', String(query.after));
  const res = await liveChannel(c.env.LIVE, channel).fetch(forward, { headers: { Upgrade: 'websocket' } });
  if (res.status === 101 && res.webSocket) return new Response(null, { status: 101, webSocket: res.webSocket });
  if (res.headers.get(LIVE_REFUSED_HEADER) === 'session') {
    throw new AppError(401, 'UNAUTHORIZED', 'The session this ticket was issued to has ended. Sign in again.');
  }
  throw invalidTicket();
}
