import type { Context } from 'hono';
import { createDb, type Db } from '../db/client';
import type { AppEnv } from './types';

const perRequest = new WeakMap<Request, Db>();

/** The request's Drizzle handle over D1, created on first use. */
export function dbOf(c: Context<AppEnv>): Db {
  let db = perRequest.get(c.req.raw);
  if (!db) {
    db = createDb(c.env.DB);
    perRequest.set(c.req.raw, db);
  }
  return db;
}
