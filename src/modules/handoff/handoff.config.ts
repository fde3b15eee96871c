import { z } from 'zod';
import { ConfigError } from '../../lib/config-error';
import { int, optionalSecret, parseSection } from '../../lib/config-schema';

export const handoffEnvSchema = z.object({
  // How long a customer waits for an operator before they are told nobody is there and the transcript is mailed.
  HANDOFF_WAIT_MINUTES: int(1, 24 * 60).default(5),
  // Where transcripts of handoffs nobody claimed are mailed (unset: nobody is mailed; the customer is still told).
  SUPPORT_INBOX_EMAIL: optionalSecret.pipe(z.email().optional()),
  // Called with every handoff (JSON, signed with HANDOFF_WEBHOOK_SECRET), retried with backoff through a queue.
  HANDOFF_WEBHOOK_URL: optionalSecret.pipe(z.url().optional()),
  HANDOFF_WEBHOOK_SECRET: optionalSecret,
});

export type HandoffConfig = {
  waitMs: number;
  supportInboxEmail: string | undefined;
  webhook: { url: string; secret: string } | undefined;
};

export function parseHandoffConfig(env: Record<string, unknown>, isProduction: boolean): HandoffConfig {
  const vars = parseSection(handoffEnvSchema, env);
  const url = vars.HANDOFF_WEBHOOK_URL;
  if (url !== undefined) {
    if (!vars.HANDOFF_WEBHOOK_SECRET || vars.HANDOFF_WEBHOOK_SECRET.length < 32) {
      throw new ConfigError(
        'Invalid configuration: HANDOFF_WEBHOOK_SECRET: required with HANDOFF_WEBHOOK_URL, at least 32 characters',
      );
    }
    if (isProduction && new URL(url).protocol !== 'https:') {
      throw new ConfigError('Invalid configuration: HANDOFF_WEBHOOK_URL: must be https: in production');
    }
  }
  return {
    waitMs: vars.HANDOFF_WAIT_MINUTES * 60_000,
    supportInboxEmail: vars.SUPPORT_INBOX_EMAIL,
    webhook: url === undefined ? undefined : { url, secret: vars.HANDOFF_WEBHOOK_SECRET as string },
  };
}
