import { z } from '@hono/zod-openapi';
import { API_KEY_SCOPES } from '../../db/schema';
import { IdParamSchema, pageOf, pageQuery } from '../../lib/common-schemas';

/** Largest rotation grace: a day is enough to redeploy every client of a key. */
export const MAX_GRACE_SECONDS = 86_400;

const ScopesSchema = z
  .array(z.enum(API_KEY_SCOPES))
  .min(1)
  .max(API_KEY_SCOPES.length)
  .refine((scopes) => new Set(scopes).size === scopes.length, 'List each scope once.')
  .openapi({ description: 'What the key may do; each only if your role allows it. Never account or key management.' });

const ModelsSchema = z
  .array(z.string().trim().min(1).max(100))
  .min(1)
  .max(20)
  .nullable()
  .openapi({ description: 'Public model ids the key may use; null or omitted: every model your role may use.' });

const limit = (max: number, description: string) =>
  z
    .number()
    .int()
    .min(1)
    .max(max)
    .nullable()
    .openapi({ description: `${description} null: no limit of its own.` });

const limitFields = {
  requestsPerMinute: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .openapi({ description: 'Requests per minute (sliding window). Default: API_KEY_DEFAULT_REQUESTS_PER_MINUTE.' }),
  tokensPerMinute: limit(1_000_000_000, 'Model tokens per minute, reserved before a call and settled after.'),
  maxConcurrentStreams: limit(20, 'Answers in progress at once.'),
  dailyTokenBudget: z.number().int().min(0).max(1_000_000_000_000).nullable().openapi({
    description:
      'Model tokens per UTC day (reset at midnight UTC); the spend also counts toward your own budget. null: only your budget applies.',
  }),
  expiresAt: z
    .string()
    .datetime({ offset: true })
    .nullable()
    .openapi({ description: 'When the key stops working (ISO 8601, in the future); null: never.' }),
};

const NameSchema = z.string().trim().min(1, 'Give the key a name.').max(100);

export const CreateKeySchema = z
  .object({
    name: NameSchema,
    scopes: ScopesSchema.optional(),
    models: ModelsSchema.optional(),
    requestsPerMinute: limitFields.requestsPerMinute.optional(),
    tokensPerMinute: limitFields.tokensPerMinute.optional(),
    maxConcurrentStreams: limitFields.maxConcurrentStreams.optional(),
    dailyTokenBudget: limitFields.dailyTokenBudget.optional(),
    expiresAt: limitFields.expiresAt.optional(),
  })
  .strict()
  .openapi('CreateApiKeyRequest');

export const UpdateKeySchema = z
  .object({
    name: NameSchema.optional(),
    scopes: ScopesSchema.optional(),
    models: ModelsSchema.optional(),
    requestsPerMinute: limitFields.requestsPerMinute.optional(),
    tokensPerMinute: limitFields.tokensPerMinute.optional(),
    maxConcurrentStreams: limitFields.maxConcurrentStreams.optional(),
    dailyTokenBudget: limitFields.dailyTokenBudget.optional(),
    expiresAt: limitFields.expiresAt.optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'Send at least one field to change.')
  .openapi('UpdateApiKeyRequest');

export const RotateKeySchema = z
  .object({
    graceSeconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_GRACE_SECONDS)
      .default(0)
      .openapi({ description: 'How long the old secret keeps working (0: it stops at once).' }),
  })
  .strict()
  .openapi('RotateApiKeyRequest');

export const KeyUsageSchema = z
  .object({
    day: z.string().openapi({ example: '2026-11-28' }),
    requests: z.number().int(),
    promptTokens: z.number().int(),
    completionTokens: z.number().int(),
    cachedTokens: z.number().int(),
    refusals: z.number().int(),
  })
  .openapi('ApiKeyUsage');

export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ example: 'sk_live_4fTq', description: 'The first characters of the secret.' }),
    last4: z.string().openapi({ example: 'x9Zk', description: 'The last four characters of the secret.' }),
    scopes: z.array(z.enum(API_KEY_SCOPES)),
    models: z.array(z.string()).nullable(),
    requestsPerMinute: z.number().int(),
    tokensPerMinute: z.number().int().nullable(),
    maxConcurrentStreams: z.number().int().nullable(),
    dailyTokenBudget: z.number().int().nullable(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    previousSecretExpiresAt: z
      .string()
      .nullable()
      .openapi({ description: 'While a rotation’s grace lasts: when the previous secret stops working.' }),
    lastUsedAt: z.string().nullable().openapi({ description: 'Written in batches: up to a minute behind.' }),
    createdAt: z.string(),
    usageToday: KeyUsageSchema,
    owner: z
      .object({ id: z.string(), username: z.string() })
      .optional()
      .openapi({ description: 'Admin listing only.' }),
  })
  .openapi('ApiKey');

export const ApiKeyResponseSchema = z.object({ apiKey: ApiKeySchema }).openapi('ApiKeyResponse');

export const NewKeyResponseSchema = z
  .object({
    key: z.string().openapi({ description: 'The secret. Shown this once: only its hash is kept.' }),
    apiKey: ApiKeySchema,
  })
  .openapi('NewApiKeyResponse');

export const KeyListSchema = z.object({ items: z.array(ApiKeySchema) }).openapi('ApiKeyList');

export const AdminKeyListSchema = pageOf(ApiKeySchema, 'AdminApiKeyList');

export const AdminKeyListQuerySchema = z.object({
  ...pageQuery(100),
  userId: z.string().uuid().optional(),
  includeRevoked: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export const KeyIdParamSchema = IdParamSchema();

/** `GET /v1/key`, shaped like OpenRouter's: a key reads its own limits and what is left today. */
export const CurrentKeySchema = z
  .object({
    data: z.object({
      id: z.string(),
      label: z.string().openapi({ example: 'sk_live_4fTq…x9Zk' }),
      name: z.string(),
      scopes: z.array(z.enum(API_KEY_SCOPES)),
      models: z.array(z.string()).nullable(),
      limit: z.number().int().nullable().openapi({ description: 'The daily token budget; null: none of its own.' }),
      usage: z.number().int().openapi({ description: 'Model tokens spent today (UTC).' }),
      limit_remaining: z
        .number()
        .int()
        .nullable()
        .openapi({ description: 'Tokens left today (minus running reservations).' }),
      limit_reset: z.literal('daily'),
      rate_limit: z.object({ requests: z.number().int(), interval: z.literal('1m') }),
      tokens_per_minute: z.number().int().nullable(),
      max_concurrent_streams: z.number().int().nullable(),
      active_streams: z.number().int(),
      expires_at: z.string().nullable(),
    }),
  })
  .openapi('CurrentApiKey');
