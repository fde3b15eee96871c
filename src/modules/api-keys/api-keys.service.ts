import { and, count, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { type ApiKeyRow, type ApiKeyScope, apiKeys, apiKeyUsageDaily, type Role, users } from '../../db/schema';
import { AppError } from '../../lib/errors';
import type { KeyChanged } from '../admission/admission.client';
import { audit } from '../audit/audit.service';
import { newApiKeySecret } from '../auth/api-key-secret';
import type { RequestMeta } from '../auth/auth.service';
import { can } from '../auth/permissions';
import { modelsFor } from '../chat/chat.config';
import { utcDay } from '../chat/usage.service';

/** Who acts, and how a change reaches admission and the audit log. */
export type KeyActor = {
  db: Db;
  config: Config;
  user: { id: string; role: Role };
  meta: RequestMeta;
  keyChanged: KeyChanged;
};

export type KeyInput = {
  name?: string | undefined;
  scopes?: ApiKeyScope[] | undefined;
  models?: string[] | null | undefined;
  requestsPerMinute?: number | undefined;
  tokensPerMinute?: number | null | undefined;
  maxConcurrentStreams?: number | null | undefined;
  dailyTokenBudget?: number | null | undefined;
  expiresAt?: string | null | undefined;
};

type Usage = {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  refusals: number;
};
const noUsage: Usage = { requests: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, refusals: 0 };

const notFound = () => new AppError(404, 'NOT_FOUND', 'No such API key.');
const revoked = () => new AppError(409, 'API_KEY_REVOKED', 'This API key is revoked. Create a new one.');
const iso = (date: Date | null) => date?.toISOString() ?? null;

/** Creates a key and returns its secret, once. */
export async function createKey(input: KeyInput & { name: string }, actor: KeyActor) {
  const { db, config, user } = actor;
  const fields = checkedFields(input, actor);
  const secret = await newApiKeySecret(config.apiKeys.live);
  const id = crypto.randomUUID();
  const scopes = fields.scopes ?? (['chat:use'] as ApiKeyScope[]);
  const values = {
    id,
    userId: user.id,
    name: input.name,
    prefix: secret.prefix,
    last4: secret.last4,
    secretHash: secret.hash,
    scopes,
    models: fields.models ?? null,
    requestsPerMinute: fields.requestsPerMinute ?? config.apiKeys.defaultRequestsPerMinute,
    tokensPerMinute: fields.tokensPerMinute ?? null,
    maxConcurrentStreams: fields.maxConcurrentStreams ?? null,
    dailyTokenBudget: fields.dailyTokenBudget ?? null,
    expiresAt: fields.expiresAt ?? null,
  };
  // One statement checks the cap and inserts, so two creations at once cannot both pass the last place.
  const live = db
    .select({ n: count() })
    .from(apiKeys)
    .where(and(eq(apiKeys.userId, user.id), isNull(apiKeys.revokedAt)));
  const inserted = await db.run(sql`
    INSERT INTO api_keys (id, user_id, name, prefix, last4, secret_hash, scopes, models, requests_per_minute,
      tokens_per_minute, max_concurrent_streams, daily_token_budget, expires_at)
    SELECT ${id}, ${user.id}, ${values.name}, ${values.prefix}, ${values.last4}, ${values.secretHash},
      ${JSON.stringify(scopes)}, ${values.models === null ? null : JSON.stringify(values.models)},
      ${values.requestsPerMinute}, ${values.tokensPerMinute}, ${values.maxConcurrentStreams},
      ${values.dailyTokenBudget}, ${values.expiresAt?.getTime() ?? null}
    WHERE (${live}) < ${config.apiKeys.maxPerUser}`);
  if (inserted.meta.changes !== 1) {
    throw new AppError(
      409,
      'API_KEY_LIMIT_REACHED',
      `You can have at most ${config.apiKeys.maxPerUser} API keys. Revoke one you no longer use.`,
    );
  }
  await audit(db, {
    action: 'api_key_create',
    outcome: 'success',
    actorId: user.id,
    targetId: id,
    detail: { scopes: scopes.join(' '), expires: values.expiresAt !== null },
    ...actor.meta,
  });
  const row = await requireRow(db, id);
  return { key: secret.secret, apiKey: toView(row, noUsage) };
}

export async function listOwnKeys(db: Db, userId: string) {
  const rows = await db.select().from(apiKeys).where(eq(apiKeys.userId, userId)).orderBy(desc(apiKeys.createdAt));
  const usage = await usageToday(
    db,
    rows.map((r) => r.id),
  );
  return { items: rows.map((row) => toView(row, usage.get(row.id) ?? noUsage)) };
}

/** One key: its owner's, or anyone's for an admin (`keys:admin`). */
export async function getKey(db: Db, id: string, viewer: { id: string; role: Role }) {
  const row = await visibleRow(db, id, viewer);
  const usage = await usageToday(db, [row.id]);
  return toView(row, usage.get(row.id) ?? noUsage);
}

export async function updateKey(id: string, patch: KeyInput, actor: KeyActor) {
  const { db, user } = actor;
  const fields = checkedFields(patch, actor);
  const row = await ownRow(db, id, user.id);
  if (row.revokedAt) throw revoked();
  const [updated] = await db
    .update(apiKeys)
    .set({ ...fields, ...(patch.name !== undefined ? { name: patch.name } : {}), version: sql`${apiKeys.version} + 1` })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, user.id), isNull(apiKeys.revokedAt)))
    .returning();
  if (!updated) throw revoked();
  await actor.keyChanged(user.id, id, updated.version);
  await audit(db, {
    action: 'api_key_update',
    outcome: 'success',
    actorId: user.id,
    targetId: id,
    detail: { fields: Object.keys(patch).sort().join(' ') },
    ...actor.meta,
  });
  return getKey(db, id, user);
}

/**
 * A new secret under the same key id. The old one works for `graceSeconds` more (0: not at all); a key
 * has one previous secret at most, so rotating again ends the earlier old secret at once.
 */
export async function rotateKey(id: string, graceSeconds: number, actor: KeyActor) {
  const { db, config, user } = actor;
  const row = await ownRow(db, id, user.id);
  if (row.revokedAt) throw revoked();
  const secret = await newApiKeySecret(config.apiKeys.live);
  const graceEnds = graceSeconds > 0 ? new Date(Date.now() + graceSeconds * 1000) : null;
  const [rotated] = await db
    .update(apiKeys)
    .set({
      previousSecretHash: graceEnds ? sql`${apiKeys.secretHash}` : null,
      previousExpiresAt: graceEnds,
      secretHash: secret.hash,
      prefix: secret.prefix,
      last4: secret.last4,
      version: sql`${apiKeys.version} + 1`,
    })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, user.id), isNull(apiKeys.revokedAt)))
    .returning();
  if (!rotated) throw revoked();
  await actor.keyChanged(user.id, id, rotated.version);
  await audit(db, {
    action: 'api_key_rotate',
    outcome: 'success',
    actorId: user.id,
    targetId: id,
    detail: { graceSeconds },
    ...actor.meta,
  });
  return { key: secret.secret, apiKey: await getKey(db, id, user) };
}

/** Revokes at once: its owner's key, or anyone's for an admin. Revoking a revoked key changes nothing. */
export async function revokeKey(id: string, actor: KeyActor): Promise<void> {
  const { db, user } = actor;
  const row = await visibleRow(db, id, user);
  if (row.revokedAt) return;
  const [done] = await db
    .update(apiKeys)
    .set({
      revokedAt: new Date(),
      previousSecretHash: null,
      previousExpiresAt: null,
      version: sql`${apiKeys.version} + 1`,
    })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ version: apiKeys.version, userId: apiKeys.userId });
  if (!done) return;
  await actor.keyChanged(done.userId, id, done.version);
  await audit(db, {
    action: 'api_key_revoke',
    outcome: 'success',
    actorId: user.id,
    targetId: id,
    detail: { byOwner: done.userId === user.id },
    ...actor.meta,
  });
}

/** Every key (admins): newest first, with its owner. */
export async function listAllKeys(
  db: Db,
  query: { page: number; pageSize: number; userId?: string | undefined; includeRevoked: boolean },
) {
  const where = and(
    query.userId ? eq(apiKeys.userId, query.userId) : undefined,
    query.includeRevoked ? undefined : isNull(apiKeys.revokedAt),
  );
  const [rows, [total]] = await Promise.all([
    db
      .select({ key: apiKeys, username: users.username })
      .from(apiKeys)
      .innerJoin(users, eq(users.id, apiKeys.userId))
      .where(where)
      .orderBy(desc(apiKeys.createdAt), apiKeys.id)
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize),
    db.select({ value: count() }).from(apiKeys).where(where),
  ]);
  const usage = await usageToday(
    db,
    rows.map((r) => r.key.id),
  );
  return {
    items: rows.map(({ key, username }) => ({
      ...toView(key, usage.get(key.id) ?? noUsage),
      owner: { id: key.userId, username },
    })),
    page: query.page,
    pageSize: query.pageSize,
    total: total?.value ?? 0,
  };
}

/** The row behind `GET /v1/key`. */
export const keyRow = (db: Db, id: string) => requireRow(db, id);

async function requireRow(db: Db, id: string): Promise<ApiKeyRow> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
  if (!row) throw notFound();
  return row;
}

/** Someone else's key is answered like a missing one: ids are not to be probed. */
async function ownRow(db: Db, id: string, userId: string): Promise<ApiKeyRow> {
  const row = await requireRow(db, id);
  if (row.userId !== userId) throw notFound();
  return row;
}

async function visibleRow(db: Db, id: string, viewer: { id: string; role: Role }): Promise<ApiKeyRow> {
  const row = await requireRow(db, id);
  if (row.userId !== viewer.id && !can(viewer.role, 'keys:admin')) throw notFound();
  return row;
}

async function usageToday(db: Db, ids: string[]): Promise<Map<string, Usage>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select()
    .from(apiKeyUsageDaily)
    .where(and(inArray(apiKeyUsageDaily.keyId, ids), eq(apiKeyUsageDaily.day, utcDay())));
  return new Map(rows.map((r) => [r.keyId, r]));
}

/** Scopes and models only as the owner's role allows; an expiry only in the future. */
function checkedFields(input: KeyInput, { config, user }: KeyActor) {
  if (input.scopes) {
    const refused = input.scopes.filter((scope) => !can(user.role, scope));
    if (refused.length > 0) {
      throw new AppError(400, 'SCOPE_NOT_ALLOWED', `Your role cannot grant: ${refused.join(', ')}.`);
    }
  }
  if (input.models) {
    const allowed = modelsFor(config.chat, user.role).map((m) => m.id);
    const refused = input.models.filter((model) => !allowed.includes(model));
    if (refused.length > 0) {
      throw new AppError(400, 'MODEL_NOT_AVAILABLE', `Choose from: ${allowed.join(', ') || 'none for your role'}.`);
    }
  }
  let expiresAt: Date | null | undefined;
  if (input.expiresAt !== undefined) {
    expiresAt = input.expiresAt === null ? null : new Date(input.expiresAt);
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw new AppError(400, 'INVALID_EXPIRY', 'Choose an expiry date in the future.');
    }
  }
  return {
    ...(input.scopes ? { scopes: input.scopes } : {}),
    ...(input.models !== undefined ? { models: input.models ? [...new Set(input.models)] : null } : {}),
    ...(input.requestsPerMinute !== undefined ? { requestsPerMinute: input.requestsPerMinute } : {}),
    ...(input.tokensPerMinute !== undefined ? { tokensPerMinute: input.tokensPerMinute } : {}),
    ...(input.maxConcurrentStreams !== undefined ? { maxConcurrentStreams: input.maxConcurrentStreams } : {}),
    ...(input.dailyTokenBudget !== undefined ? { dailyTokenBudget: input.dailyTokenBudget } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
  };
}

function toView(row: ApiKeyRow, usage: Usage) {
  const graceLive = row.previousExpiresAt && row.previousExpiresAt.getTime() > Date.now();
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    last4: row.last4,
    scopes: row.scopes,
    models: row.models ?? null,
    requestsPerMinute: row.requestsPerMinute,
    tokensPerMinute: row.tokensPerMinute,
    maxConcurrentStreams: row.maxConcurrentStreams,
    dailyTokenBudget: row.dailyTokenBudget,
    expiresAt: iso(row.expiresAt),
    revokedAt: iso(row.revokedAt),
    previousSecretExpiresAt: graceLive ? iso(row.previousExpiresAt) : null,
    lastUsedAt: iso(row.lastUsedAt),
    createdAt: row.createdAt.toISOString(),
    usageToday: {
      day: utcDay(),
      requests: usage.requests,
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      cachedTokens: usage.cachedTokens,
      refusals: usage.refusals,
    },
  };
}
