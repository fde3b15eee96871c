import { z } from 'zod';
import { ConfigError } from '../../lib/config-error';
import { int, optionalSecret, parseSection } from '../../lib/config-schema';

/** Cloudflare's documented test keys: they pass (or fail) without a challenge, and production refuses them. */
export const TURNSTILE_TEST_KEYS = {
  siteKey: '1x00000000000000000000AA',
  passSecret: '1x0000000000000000000000000000000AA',
  dummyToken: 'XXXX.DUMMY.TOKEN.XXXX',
} as const;

const isTestSecret = (secret: string) => /^[123]x0+AA$/.test(secret);

export const guestEnvSchema = z.object({
  TURNSTILE_SITE_KEY: z.string().trim().min(1).max(100).default(TURNSTILE_TEST_KEYS.siteKey),
  TURNSTILE_SECRET_KEY: optionalSecret,
  TURNSTILE_VERIFY_URL: z.url().default('https://challenges.cloudflare.com/turnstile/v0/siteverify'),
  // Empty: offline (development, tests) — the frame takes the dummy token without loading any script.
  TURNSTILE_SCRIPT_URL: z
    .union([z.literal(''), z.url()])
    .default('https://challenges.cloudflare.com/turnstile/v0/api.js'),
  // Empty: the hostname the service itself is reached on (the frame is ours, so Turnstile runs there).
  TURNSTILE_EXPECTED_HOSTNAMES: z.string().default(''),
  // Empty: any action (Cloudflare's test keys report none).
  TURNSTILE_ACTION: z.string().trim().max(32).default('guest-session'),
  GUEST_VISITOR_DAYS: int(1, 365).default(30),
  GUEST_RETENTION_DAYS: int(1, 3650).default(30),
  AUDIT_RETENTION_DAYS: int(30, 3650).default(365),
});

export type GuestConfig = {
  turnstile: {
    siteKey: string;
    secret: string;
    verifyUrl: string;
    /** undefined: offline, the frame uses the dummy token. */
    scriptUrl: string | undefined;
    /** Empty: the service's own hostname. */
    expectedHostnames: readonly string[];
    /** Empty: not checked. */
    action: string;
  };
  visitorTtlMs: number;
  retention: { guestConversationsMs: number; auditEventsMs: number };
};

const DAY_MS = 86_400_000;

export function parseGuestConfig(env: Record<string, unknown>, isProduction: boolean): GuestConfig {
  const vars = parseSection(guestEnvSchema, env);
  const secret = vars.TURNSTILE_SECRET_KEY;
  if (isProduction) {
    // A missing or test secret would let every bot through; an http verify URL would leak the secret.
    if (!secret || isTestSecret(secret)) {
      throw new ConfigError(
        'Invalid configuration: TURNSTILE_SECRET_KEY: missing or a test key (set it with `wrangler secret put TURNSTILE_SECRET_KEY`)',
      );
    }
    if (/^[123]x0+[A-F]{2}$/.test(vars.TURNSTILE_SITE_KEY)) {
      throw new ConfigError('Invalid configuration: TURNSTILE_SITE_KEY: a test key is refused in production');
    }
    if (!vars.TURNSTILE_VERIFY_URL.startsWith('https:')) {
      throw new ConfigError('Invalid configuration: TURNSTILE_VERIFY_URL: must be https in production');
    }
    if (!vars.TURNSTILE_SCRIPT_URL) {
      throw new ConfigError(
        'Invalid configuration: TURNSTILE_SCRIPT_URL: the offline dummy token is refused in production',
      );
    }
  }
  return {
    turnstile: {
      siteKey: vars.TURNSTILE_SITE_KEY,
      secret: secret ?? TURNSTILE_TEST_KEYS.passSecret,
      verifyUrl: vars.TURNSTILE_VERIFY_URL,
      scriptUrl: vars.TURNSTILE_SCRIPT_URL || undefined,
      expectedHostnames: vars.TURNSTILE_EXPECTED_HOSTNAMES.split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
      action: vars.TURNSTILE_ACTION,
    },
    visitorTtlMs: vars.GUEST_VISITOR_DAYS * DAY_MS,
    retention: {
      guestConversationsMs: vars.GUEST_RETENTION_DAYS * DAY_MS,
      auditEventsMs: vars.AUDIT_RETENTION_DAYS * DAY_MS,
    },
  };
}
