import type { RouteHandler } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { dbOf } from '../../lib/db-context';
import type { AppEnv } from '../../lib/types';
import { accountChangedVia } from '../admission/admission.client';
import { getPasswordHasher } from '../auth/argon2-worker';
import { requestMeta } from '../auth/auth.context';
import { currentUser } from '../auth/authenticate';
import * as sessions from './sessions.service';
import type * as routes from './users.routes';
import * as service from './users.service';

const caller = currentUser;

const accountChanged = (c: Context<AppEnv>) => accountChangedVia(c.env.ADMISSION, c.get('requestId'));

const adminAction = (c: Context<AppEnv>) => ({
  db: dbOf(c),
  actorId: caller(c).id,
  meta: requestMeta(c),
  accountChanged: accountChanged(c),
});

export const getMe: RouteHandler<typeof routes.getMe, AppEnv> = async (c) =>
  c.json({ user: await service.getUser(dbOf(c), caller(c).id) }, 200);

export const updateMe: RouteHandler<typeof routes.updateMe, AppEnv> = async (c) =>
  c.json({ user: await service.updateProfile(dbOf(c), caller(c).id, c.req.valid('json')) }, 200);

export const changeMyPassword: RouteHandler<typeof routes.changeMyPassword, AppEnv> = async (c) => {
  const { currentPassword, newPassword } = c.req.valid('json');
  const { id, sessionId } = caller(c);
  const token = await service.changePassword(currentPassword, newPassword, {
    db: dbOf(c),
    config: c.get('config'),
    hasher: await getPasswordHasher(),
    meta: requestMeta(c),
    accountChanged: accountChanged(c),
    userId: id,
    keepFamilyId: sessionId,
  });
  return c.json({ ...token, tokenType: 'Bearer' as const }, 200);
};

const sessionActor = (c: Context<AppEnv>): sessions.SessionActor => ({
  db: dbOf(c),
  userId: caller(c).id,
  currentSessionId: caller(c).sessionId,
  meta: requestMeta(c),
  accountChanged: accountChanged(c),
});

export const listMySessions: RouteHandler<typeof routes.listMySessions, AppEnv> = async (c) => {
  const { id, sessionId } = caller(c);
  return c.json({ sessions: await sessions.listSessions(dbOf(c), id, sessionId) }, 200);
};

export const endMySession: RouteHandler<typeof routes.endMySession, AppEnv> = async (c) => {
  await sessions.endMySession(c.req.valid('param').id, sessionActor(c));
  return c.body(null, 204);
};

export const endMyOtherSessions: RouteHandler<typeof routes.endMyOtherSessions, AppEnv> = async (c) =>
  c.json(await sessions.endMyOtherSessions(sessionActor(c)), 200);

export const listUsers: RouteHandler<typeof routes.listUsers, AppEnv> = async (c) =>
  c.json(await service.listUsers(dbOf(c), c.req.valid('query')), 200);

export const getUserById: RouteHandler<typeof routes.getUserById, AppEnv> = async (c) =>
  c.json({ user: await service.getUser(dbOf(c), c.req.valid('param').id) }, 200);

export const changeRole: RouteHandler<typeof routes.changeRole, AppEnv> = async (c) =>
  c.json({ user: await service.changeRole(c.req.valid('param').id, c.req.valid('json').role, adminAction(c)) }, 200);

export const changeStatus: RouteHandler<typeof routes.changeStatus, AppEnv> = async (c) =>
  c.json({ user: await service.setActive(c.req.valid('param').id, c.req.valid('json').isActive, adminAction(c)) }, 200);

export const unlockUser: RouteHandler<typeof routes.unlockUser, AppEnv> = async (c) =>
  c.json({ user: await service.unlockUser(c.req.valid('param').id, adminAction(c)) }, 200);

export const deleteUser: RouteHandler<typeof routes.deleteUser, AppEnv> = async (c) => {
  await service.deleteUser(c.req.valid('param').id, adminAction(c));
  return c.body(null, 204);
};
