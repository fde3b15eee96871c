import { z } from 'zod';

/** Raised when `env` does not describe a runnable service; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

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

const envSchema = z.object({
  ENVIRONMENT: z.enum(['development', 'test', 'production']),
  CORS_ORIGINS: corsOrigins,
  DOCS_ENABLED: bool.optional(),
  MAX_BODY_BYTES: int(1024, 10 * 1024 * 1024).default(65_536),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export type Config = {
  environment: 'development' | 'test' | 'production';
  isProduction: boolean;
  /** `'*'` means any origin without credentials; refused in production. */
  corsOrigins: '*' | ReadonlySet<string>;
  docsEnabled: boolean;
  maxBodyBytes: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
};

export function parseConfig(env: Record<string, unknown>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const vars = parsed.data;
  const isProduction = vars.ENVIRONMENT === 'production';
  const wildcard = vars.CORS_ORIGINS[0] === '*';
  if (isProduction && wildcard) {
    throw new ConfigError(
      'Invalid configuration: CORS_ORIGINS: a wildcard is not allowed in production; list the origins',
    );
  }
  return {
    environment: vars.ENVIRONMENT,
    isProduction,
    corsOrigins: wildcard ? '*' : new Set(vars.CORS_ORIGINS),
    docsEnabled: vars.DOCS_ENABLED ?? !isProduction,
    maxBodyBytes: vars.MAX_BODY_BYTES,
    logLevel: vars.LOG_LEVEL,
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
