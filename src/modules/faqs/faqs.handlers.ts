import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { dbOf } from '../../lib/db-context';
import type { AppEnv } from '../../lib/types';
import { allows } from '../auth/permissions';
import type * as routes from './faqs.routes';
import * as service from './faqs.service';

/** Editors (content:write) work on drafts, so they see them; everyone else sees published entries only. */
const publishedOnly = (c: Context<AppEnv>): boolean => {
  const user = c.get('user');
  return !(user && allows(user, 'content:write'));
};

export const listFaqs: RouteHandler<typeof routes.listFaqs, AppEnv> = async (c) =>
  c.json(await service.listFaqs(dbOf(c), { ...c.req.valid('query'), publishedOnly: publishedOnly(c) }), 200);

export const getFaq: RouteHandler<typeof routes.getFaq, AppEnv> = async (c) =>
  c.json({ faq: await service.getFaq(dbOf(c), c.req.valid('param').id, { publishedOnly: publishedOnly(c) }) }, 200);

export const createFaq: RouteHandler<typeof routes.createFaq, AppEnv> = async (c) =>
  c.json({ faq: await service.createFaq(dbOf(c), c.req.valid('json'), c.get('userId') ?? null) }, 201);

export const updateFaq: RouteHandler<typeof routes.updateFaq, AppEnv> = async (c) =>
  c.json({ faq: await service.updateFaq(dbOf(c), c.req.valid('param').id, c.req.valid('json')) }, 200);

export const deleteFaq: RouteHandler<typeof routes.deleteFaq, AppEnv> = async (c) => {
  await service.deleteFaq(dbOf(c), c.req.valid('param').id);
  return c.body(null, 204);
};
