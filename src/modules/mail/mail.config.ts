import { z } from 'zod';
import { ConfigError } from '../../lib/config-error';
import { optionalSecret, parseSection } from '../../lib/config-schema';

export const mailEnvSchema = z.object({
  MAIL_BACKEND: z.enum(['auto', 'cloudflare', 'outbox']).default('auto'),
  MAIL_FROM: optionalSecret.pipe(z.email().optional()),
  PUBLIC_APP_URL: optionalSecret.pipe(z.url({ protocol: /^https?$/ }).optional()),
  PRODUCT_NAME: z.string().trim().min(1).max(60).default('Support'),
});

export type MailConfig = {
  /** `outbox` keeps mail in D1 for `GET /api/v1/dev/outbox`; refused in production. */
  backend: 'cloudflare' | 'outbox';
  from: string;
  /** Every link in a mail starts here, never with the request's Host header (which a client chooses). */
  appUrl: string;
  productName: string;
};

const DEV_APP_URL = 'http://127.0.0.1:8787';

export function parseMailConfig(env: Record<string, unknown>, isProduction: boolean): MailConfig {
  const vars = parseSection(mailEnvSchema, env);
  const fail = (message: string): never => {
    throw new ConfigError(`Invalid configuration: ${message}`);
  };
  const backend = vars.MAIL_BACKEND === 'auto' ? (isProduction ? 'cloudflare' : 'outbox') : vars.MAIL_BACKEND;
  if (isProduction && backend === 'outbox') fail('MAIL_BACKEND: the development outbox is not allowed in production');
  if (isProduction && !vars.MAIL_FROM)
    fail('MAIL_FROM: required in production (an address of your Email Service domain)');
  const appUrl = vars.PUBLIC_APP_URL?.replace(/\/+$/, '');
  if (isProduction && !appUrl) fail('PUBLIC_APP_URL: required in production (links in mail point at it)');
  if (isProduction && appUrl?.startsWith('http:')) fail('PUBLIC_APP_URL: must be https in production');
  return {
    backend,
    from: vars.MAIL_FROM ?? 'no-reply@localhost',
    appUrl: appUrl ?? DEV_APP_URL,
    productName: vars.PRODUCT_NAME,
  };
}
