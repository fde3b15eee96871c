import type { Db } from '../../db/client';
import { errorDetail } from '../../lib/error-detail';
import { log } from '../../lib/logger';
import { maskEmail } from '../../lib/opaque-token';
import { CloudflareMailSender } from './cloudflare.sender';
import type { MailConfig } from './mail.config';
import type { MailMessage, MailSender } from './mail.types';
import { OutboxMailSender } from './outbox.sender';

export function mailSenderFor(env: Pick<Env, 'EMAIL'>, db: Db, config: MailConfig): MailSender {
  return config.backend === 'cloudflare' ? new CloudflareMailSender(env.EMAIL, config.from) : new OutboxMailSender(db);
}

/** Sends mail after the response: never makes a person wait on the provider. */
export type Mailer = (message: MailMessage, kind: string) => void;

export const RETRY_DELAY_MS = 500;

/**
 * Hands the message to `waitUntil`. A failure is logged and tried once more; a second failure is
 * logged at error level (the recipient's address masked) and dropped: the person can ask again.
 */
export function mailerVia(
  sender: MailSender,
  waitUntil: (work: Promise<unknown>) => void,
  requestId?: string,
  retryDelayMs = RETRY_DELAY_MS,
): Mailer {
  return (message, kind) => waitUntil(sendWithRetry(sender, message, kind, requestId, retryDelayMs));
}

export async function sendWithRetry(
  sender: MailSender,
  message: MailMessage,
  kind: string,
  requestId: string | undefined,
  retryDelayMs = RETRY_DELAY_MS,
): Promise<boolean> {
  const fields = { requestId, kind, to: maskEmail(message.to) };
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      await sender.send(message);
      log('info', 'mail sent', { ...fields, attempt });
      return true;
    } catch (error) {
      if (attempt === 1) {
        log('warn', 'mail not accepted; retrying once', { ...fields, ...errorDetail(error) });
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
      } else {
        log('error', 'mail not delivered', { ...fields, ...errorDetail(error) });
      }
    }
  }
  return false;
}
