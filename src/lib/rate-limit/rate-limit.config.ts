import { z } from 'zod';
import { ConfigError } from '../config-error';
import { bool, optionalSecret, parseSection } from '../config-schema';
import type { RateLimitPolicy } from './rate-limit.types';

const units = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** `"120/1m"` → 120 requests per sliding minute. Units: ms, s, m, h. */
const policy = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const match = /^(\d+)\s*\/\s*(\d+)\s*(ms|s|m|h)$/.exec(value);
    const limit = Number(match?.[1]);
    const windowMs = Number(match?.[2]) * units[(match?.[3] ?? 'ms') as keyof typeof units];
    if (!match || limit < 1 || limit > 1_000_000_000 || windowMs < 100 || windowMs > 86_400_000) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected "<requests>/<window>" such as "120/1m" (units ms, s, m, h; window 100ms–24h)',
      });
      return z.NEVER;
    }
    return { limit, windowMs };
  });

export const rateLimitEnvSchema = z.object({
  RATE_LIMIT_BACKEND: z.enum(['auto', 'upstash', 'durable-object', 'none']).default('auto'),
  RATE_LIMIT_IP: policy.default({ limit: 120, windowMs: 60_000 }),
  RATE_LIMIT_LOGIN_IP: policy.default({ limit: 5, windowMs: 60_000 }),
  RATE_LIMIT_LOGIN_EMAIL: policy.default({ limit: 5, windowMs: 15 * 60_000 }),
  RATE_LIMIT_LOGIN_EMAIL_ALL: policy.default({ limit: 100, windowMs: 15 * 60_000 }),
  RATE_LIMIT_ACCOUNT_IP: policy.default({ limit: 10, windowMs: 60_000 }),
  RATE_LIMIT_MAIL_ADDRESS: policy.default({ limit: 5, windowMs: 60 * 60_000 }),
  RATE_LIMIT_REGISTER_IP: policy.default({ limit: 3, windowMs: 60_000 }),
  RATE_LIMIT_REFRESH_IP: policy.default({ limit: 10, windowMs: 60_000 }),
  RATE_LIMIT_USER: policy.default({ limit: 60, windowMs: 60_000 }),
  RATE_LIMIT_DOCUMENT_UPLOAD: policy.default({ limit: 30, windowMs: 3_600_000 }),
  RATE_LIMIT_UPSTASH_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(1_000),
  TRUST_X_FORWARDED_FOR: bool.default(false),
  UPSTASH_REDIS_REST_URL: optionalSecret.pipe(z.url({ protocol: /^https?$/ }).optional()),
  UPSTASH_REDIS_REST_TOKEN: optionalSecret,
});

export type PolicyName =
  | 'ip'
  | 'loginIp'
  | 'loginEmail'
  | 'loginEmailAll'
  | 'registerIp'
  | 'refreshIp'
  | 'accountIp'
  | 'mailAddress'
  | 'user'
  | 'documentUpload';

export type RateLimitConfig = {
  /** `none` exists for benchmarks' baseline only and is refused in production. */
  backend: 'upstash' | 'durable-object' | 'none';
  upstash: { url: string; token: string; timeoutMs: number } | undefined;
  /** Only behind a proxy of ours that overwrites X-Forwarded-For; otherwise clients could pick their IP. */
  trustXForwardedFor: boolean;
  policies: Record<PolicyName, RateLimitPolicy>;
};

export function parseRateLimitConfig(env: Record<string, unknown>, isProduction: boolean): RateLimitConfig {
  const vars = parseSection(rateLimitEnvSchema, env);
  const fail = (message: string): never => {
    throw new ConfigError(`Invalid configuration: ${message}`);
  };
  const url = vars.UPSTASH_REDIS_REST_URL;
  const token = vars.UPSTASH_REDIS_REST_TOKEN;
  if (Boolean(url) !== Boolean(token)) {
    fail('UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN must be set together');
  }
  if (isProduction && url?.startsWith('http:')) {
    fail('UPSTASH_REDIS_REST_URL: must be https in production (the token travels with every request)');
  }
  if (isProduction && vars.RATE_LIMIT_BACKEND === 'none') {
    fail('RATE_LIMIT_BACKEND: "none" turns rate limiting off and is not allowed in production');
  }
  if (vars.RATE_LIMIT_BACKEND === 'upstash' && !url) {
    fail('RATE_LIMIT_BACKEND: "upstash" needs UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN');
  }
  const upstash = url && token ? { url, token, timeoutMs: vars.RATE_LIMIT_UPSTASH_TIMEOUT_MS } : undefined;
  const auto = upstash ? 'upstash' : 'durable-object';
  const named = (name: string, p: { limit: number; windowMs: number }): RateLimitPolicy => ({ name, ...p });
  return {
    backend: vars.RATE_LIMIT_BACKEND === 'auto' ? auto : vars.RATE_LIMIT_BACKEND,
    upstash,
    trustXForwardedFor: vars.TRUST_X_FORWARDED_FOR,
    policies: {
      ip: named('ip', vars.RATE_LIMIT_IP),
      loginIp: named('login-ip', vars.RATE_LIMIT_LOGIN_IP),
      // Per email *and* client: an attacker elsewhere spends their own allowance, not the owner's.
      loginEmail: named('login-email-client', vars.RATE_LIMIT_LOGIN_EMAIL),
      loginEmailAll: named('login-email', vars.RATE_LIMIT_LOGIN_EMAIL_ALL),
      registerIp: named('register-ip', vars.RATE_LIMIT_REGISTER_IP),
      refreshIp: named('refresh-ip', vars.RATE_LIMIT_REFRESH_IP),
      accountIp: named('account-ip', vars.RATE_LIMIT_ACCOUNT_IP),
      mailAddress: named('mail-address', vars.RATE_LIMIT_MAIL_ADDRESS),
      user: named('user', vars.RATE_LIMIT_USER),
      documentUpload: named('document-upload', vars.RATE_LIMIT_DOCUMENT_UPLOAD),
    },
  };
}
