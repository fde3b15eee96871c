import { z } from 'zod';
import { ROLES, type Role } from './db/schema';
import { ConfigError } from './lib/config-error';
import { bool, int, parseSection } from './lib/config-schema';
import { parseRateLimitConfig, type RateLimitConfig } from './lib/rate-limit/rate-limit.config';
import { type ApiKeyConfig, parseApiKeyConfig } from './modules/auth/api-key.config';
import { type Argon2Params, MAX_ARGON2 } from './modules/auth/argon2-params';
import { type ChatConfig, parseChatConfig } from './modules/chat/chat.config';
import { type DocumentsConfig, parseDocumentsConfig } from './modules/documents/documents.config';
import { type GuestConfig, parseGuestConfig } from './modules/guest/guest.config';
import { type HandoffConfig, parseHandoffConfig } from './modules/handoff/handoff.config';
import { type MailConfig, parseMailConfig } from './modules/mail/mail.config';
import { type MfaKey, parseMfaKeys } from './modules/mfa/mfa-keys';

export { ConfigError };

const origin = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
    } catch {
      return false;
    }
  }, 'each entry must be an origin such as https://app.example.com (scheme, host, optional port; no path)');

const corsOrigins = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  )
  .pipe(z.union([z.tuple([z.literal('*')]), z.array(origin)]));

export const envSchema = z.object({
  ENVIRONMENT: z.enum(['development', 'test', 'production']),
  CORS_ORIGINS: corsOrigins,
  DOCS_ENABLED: bool.optional(),
  MAX_BODY_BYTES: int(1024, 10 * 1024 * 1024).default(65_536),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  // A JWKS (JSON) of ES256 keys. Keys with a private part (`d`) can sign; the first of them does.
  // Public-only entries stay accepted for verification, so a key can be retired without logging anyone out.
  JWT_JWKS: z.string().optional(),
  JWT_ISSUER: z.string().trim().min(1).default('support-chat'),
  JWT_AUDIENCE: z.string().trim().min(1).default('support-chat-api'),
  ACCESS_TOKEN_TTL_SECONDS: int(60, 900).default(900),
  REFRESH_TOKEN_TTL_DAYS: int(1, 30).default(7),
  PASSWORD_MIN_LENGTH: int(8, 64).default(12),
  PASSWORD_MAX_LENGTH: int(64, 256).default(128),
  PASSWORD_REQUIRE_CHARACTER_CLASSES: bool.default(false),
  // OWASP's Argon2id floor is m=19456 KiB, t=2, p=1; the ceilings keep a Worker (128 MB) alive.
  ARGON2_MEMORY_KIB: int(19_456, MAX_ARGON2.memoryKib).default(19_456),
  ARGON2_ITERATIONS: int(2, MAX_ARGON2.iterations).default(2),
  ARGON2_PARALLELISM: int(1, MAX_ARGON2.parallelism).default(1),
  LOCKOUT_THRESHOLD: int(3, 100).default(5),
  LOCKOUT_MINUTES: int(1, 24 * 60).default(30),
  LOCKOUT_ACCOUNT_THRESHOLD: int(10, 100_000).default(50),
  MFA_REQUIRED_ROLES: z
    .string()
    .optional()
    .transform((value) =>
      value === undefined
        ? undefined
        : value
            .split(',')
            .map((entry) => entry.trim())
            .filter(Boolean),
    )
    .pipe(z.array(z.enum(ROLES)).optional()),
  MFA_ENCRYPTION_KEYS: z.string().optional(),
  // How stale a user's admission object's copy of the account may get before it is read again; only changes made
  // around the API (admin CLI, SQL) wait for this, API changes apply at once. 0 reads D1 every time.
  ACCOUNT_RECHECK_SECONDS: int(0, 900).default(60),
});

export type Config = {
  environment: 'development' | 'test' | 'production';
  isProduction: boolean;
  /** `'*'` means any origin without credentials; refused in production. */
  corsOrigins: '*' | ReadonlySet<string>;
  docsEnabled: boolean;
  maxBodyBytes: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  auth: {
    jwks: JsonWebKeySet;
    issuer: string;
    audience: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlMs: number;
    lockoutThreshold: number;
    lockoutMs: number;
    /** Failures on one account from all clients together past which password sign-in also needs a mailed link. */
    accountLockoutThreshold: number;
    accountRecheckMs: number;
    mfaRequiredRoles: ReadonlySet<Role>;
    /** The first key encrypts TOTP secrets; all of them decrypt (rotation). Unset outside production: no 2FA setup. */
    mfaKeys: readonly MfaKey[] | undefined;
  };
  chat: ChatConfig;
  documents: DocumentsConfig;
  /** Guests (website visitors): Turnstile, visitor lifetime, retention. */
  guest: GuestConfig;
  /** Human handoff: how long a customer waits, where unclaimed transcripts go, the webhook. */
  handoff: HandoffConfig;
  mail: MailConfig;
  rateLimit: RateLimitConfig;
  apiKeys: ApiKeyConfig;
  password: {
    minLength: number;
    maxLength: number;
    requireCharacterClasses: boolean;
    argon2: Argon2Params;
  };
};

export type JsonWebKeySet = { keys: (JsonWebKey & { kid: string })[] };

const jwksSchema = z.object({
  keys: z
    .array(
      z.looseObject({
        kid: z.string().min(1),
        kty: z.literal('EC'),
        crv: z.literal('P-256'),
        x: z.string(),
        y: z.string(),
        d: z.string().optional(),
      }),
    )
    .min(1),
});

function parseJwks(raw: string | undefined): JsonWebKeySet | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError('Invalid configuration: JWT_JWKS: not valid JSON');
  }
  const parsed = jwksSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError('Invalid configuration: JWT_JWKS: expected {"keys":[ES256 P-256 JWKs with kid]}');
  }
  if (!parsed.data.keys.some((key) => key.d)) {
    throw new ConfigError('Invalid configuration: JWT_JWKS: no key with a private part (d) to sign with');
  }
  return parsed.data as JsonWebKeySet;
}

export function parseConfig(env: Record<string, unknown>): Config {
  const vars = parseSection(envSchema, env);
  const isProduction = vars.ENVIRONMENT === 'production';
  const wildcard = vars.CORS_ORIGINS[0] === '*';
  if (isProduction && wildcard) {
    throw new ConfigError(
      'Invalid configuration: CORS_ORIGINS: a wildcard is not allowed in production; list the origins',
    );
  }
  // Listed origins get credentialed access; a page served over http can be rewritten in transit.
  const plainHttp = wildcard ? undefined : vars.CORS_ORIGINS.find((entry) => entry.startsWith('http:'));
  if (isProduction && plainHttp) {
    throw new ConfigError(`Invalid configuration: CORS_ORIGINS: ${plainHttp} must be https in production`);
  }
  const jwks = parseJwks(vars.JWT_JWKS);
  if (!jwks) {
    // Development gets a key from `npm run dev` (written to .dev.vars); nowhere may run unsigned.
    throw new ConfigError('Invalid configuration: JWT_JWKS: missing (set it with `wrangler secret put JWT_JWKS`)');
  }
  const mfaKeys = parseMfaKeys(vars.MFA_ENCRYPTION_KEYS);
  if (isProduction && !mfaKeys) {
    throw new ConfigError('Invalid configuration: MFA_ENCRYPTION_KEYS: required in production (see docs/security.md)');
  }
  if (vars.LOCKOUT_ACCOUNT_THRESHOLD <= vars.LOCKOUT_THRESHOLD) {
    throw new ConfigError('Invalid configuration: LOCKOUT_ACCOUNT_THRESHOLD: must be above LOCKOUT_THRESHOLD');
  }
  if (vars.PASSWORD_MAX_LENGTH < vars.PASSWORD_MIN_LENGTH) {
    throw new ConfigError('Invalid configuration: PASSWORD_MAX_LENGTH: must not be below PASSWORD_MIN_LENGTH');
  }
  return {
    environment: vars.ENVIRONMENT,
    isProduction,
    corsOrigins: wildcard ? '*' : new Set(vars.CORS_ORIGINS),
    docsEnabled: vars.DOCS_ENABLED ?? !isProduction,
    maxBodyBytes: vars.MAX_BODY_BYTES,
    logLevel: vars.LOG_LEVEL,
    auth: {
      jwks,
      issuer: vars.JWT_ISSUER,
      audience: vars.JWT_AUDIENCE,
      accessTokenTtlSeconds: vars.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlMs: vars.REFRESH_TOKEN_TTL_DAYS * 24 * 60 * 60 * 1000,
      lockoutThreshold: vars.LOCKOUT_THRESHOLD,
      lockoutMs: vars.LOCKOUT_MINUTES * 60 * 1000,
      accountLockoutThreshold: vars.LOCKOUT_ACCOUNT_THRESHOLD,
      accountRecheckMs: vars.ACCOUNT_RECHECK_SECONDS * 1000,
      // Operators must have a second factor in production unless configured otherwise; nobody must in development.
      mfaRequiredRoles: new Set(vars.MFA_REQUIRED_ROLES ?? (isProduction ? ['admin', 'moderator'] : [])),
      mfaKeys,
    },
    chat: parseChatConfig(env, isProduction),
    documents: parseDocumentsConfig(env),
    guest: parseGuestConfig(env, isProduction),
    handoff: parseHandoffConfig(env, isProduction),
    mail: parseMailConfig(env, isProduction),
    rateLimit: parseRateLimitConfig(env, isProduction),
    apiKeys: parseApiKeyConfig(env, isProduction),
    password: {
      minLength: vars.PASSWORD_MIN_LENGTH,
      maxLength: vars.PASSWORD_MAX_LENGTH,
      requireCharacterClasses: vars.PASSWORD_REQUIRE_CHARACTER_CLASSES,
      argon2: {
        memoryKib: vars.ARGON2_MEMORY_KIB,
        iterations: vars.ARGON2_ITERATIONS,
        parallelism: vars.ARGON2_PARALLELISM,
      },
    },
  };
}

// `env` is one object per isolate, so parsing once per object is parsing once per isolate.
const cache = new WeakMap<object, Config>();

export function getConfig(env: object): Config {
  let config = cache.get(env);
  if (!config) {
    config = parseConfig(env as Record<string, unknown>);
    cache.set(env, config);
  }
  return config;
}
