import type { Context } from 'hono';
import type { Site } from '../../db/schema';
import { createRouter } from '../../lib/create-router';
import { dbOf } from '../../lib/db-context';
import type { AppEnv } from '../../lib/types';
import { audit } from '../audit/audit.service';
import { currentUser } from '../auth/authenticate';
import * as routes from './sites.routes';
import * as service from './sites.service';

/** Messages returned with one conversation, as for the owner's own view. */
const MESSAGE_PAGE = 500;

/** The script tag a site pastes into its pages; the loader is served by this Worker. */
export const embedSnippet = (serviceOrigin: string, siteId: string) =>
  `<script src="${serviceOrigin}/widget.js" data-site="${siteId}" async></script>`;

function siteView(c: Context<AppEnv>, row: Site) {
  const { identitySecret: _secret, createdBy: _by, ...site } = row;
  return {
    ...site,
    embedSnippet: embedSnippet(new URL(c.req.url).origin, row.id),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export const sitesRouter = createRouter()
  .openapi(routes.listSites, async (c) => {
    const rows = await service.listSites(dbOf(c));
    return c.json({ items: rows.map((row) => siteView(c, row)) }, 200);
  })
  .openapi(routes.getSite, async (c) =>
    c.json({ site: siteView(c, await service.getSite(dbOf(c), c.req.valid('param').id)) }, 200),
  )
  .openapi(routes.createSite, async (c) => {
    const body = c.req.valid('json');
    service.checkOrigins(body.allowedOrigins, c.get('config').isProduction);
    const { row, identitySecret } = await service.createSite(dbOf(c), body, currentUser(c).id);
    return c.json({ site: siteView(c, row), identitySecret }, 201);
  })
  .openapi(routes.updateSite, async (c) => {
    const body = c.req.valid('json');
    service.checkOrigins(body.allowedOrigins, c.get('config').isProduction);
    const row = await service.updateSite(dbOf(c), c.req.valid('param').id, body);
    return c.json({ site: siteView(c, row) }, 200);
  })
  .openapi(routes.rotateSecret, async (c) => {
    const { row, identitySecret } = await service.rotateIdentitySecret(dbOf(c), c.req.valid('param').id);
    return c.json({ site: siteView(c, row), identitySecret }, 200);
  })
  .openapi(routes.deleteSite, async (c) => {
    await service.deleteSite(dbOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  })
  .openapi(routes.listGuestConversations, async (c) => {
    const { page, pageSize } = c.req.valid('query');
    return c.json(await service.listGuestConversations(dbOf(c), c.req.valid('param').id, page, pageSize), 200);
  })
  .openapi(routes.getGuestConversation, async (c) => {
    const { id, conversationId } = c.req.valid('param');
    const found = await service.getGuestConversation(dbOf(c), id, conversationId, MESSAGE_PAGE);
    // Every operator read of a customer's conversation is on record.
    await audit(dbOf(c), {
      actorId: currentUser(c).id,
      action: 'conversation_read',
      targetId: conversationId,
      outcome: 'success',
      requestId: c.get('requestId'),
    });
    return c.json(found, 200);
  });
