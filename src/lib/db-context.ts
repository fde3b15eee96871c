import type { Context } from 'hono';
import { createDb, type Db } from '../db/client';
import type { AppEnv } from './types';

// Keyed by the D1 binding, which lives as long as the isolate: building Drizzle's schema metadata per
// request was a measurable share of a chat request's CPU. The handle holds no per-request state.
const perBinding = new WeakMap<D1Database, Db>();

/** The isolate's Drizzle handle over the request's D1 binding. */
export function dbOf(c: Context<AppEnv>): Db {
  let db = perBinding.get(c.env.DB);
  if (!db) {
    db = createDb(c.env.DB);
    perBinding.set(c.env.DB, db);
  }
  return db;
}
