import { env } from 'cloudflare:workers';

export type OutboxMail = { to: string; subject: string; text: string; sentAt: number };

/** Every mail the development outbox holds for this address, newest first (read straight from D1). */
export async function mailsTo(email: string): Promise<OutboxMail[]> {
  const { results } = await env.DB.prepare(
    'SELECT "to", subject, text, sent_at AS sentAt FROM dev_outbox WHERE "to" = ? ORDER BY sent_at DESC, id DESC',
  )
    .bind(email)
    .all<OutboxMail>();
  return results;
}

/**
 * Mail goes out after the response (`waitUntil`): wait for the newest one whose subject matches,
 * sent after `since` (ms).
 */
export async function waitForMail(email: string, subject: RegExp, since = 0, timeoutMs = 3_000): Promise<OutboxMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mail = (await mailsTo(email)).find((m) => subject.test(m.subject) && m.sentAt >= since);
    if (mail) return mail;
    if (Date.now() > deadline) throw new Error(`no mail matching ${subject} for ${email}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The token of the web-client link `#/<route>/<token>` in a mail. */
export function linkToken(mail: OutboxMail, route: string): string {
  const match = new RegExp(`/#/${route}/([A-Za-z0-9_-]+)`).exec(mail.text);
  if (!match?.[1]) throw new Error(`no ${route} link in "${mail.subject}"`);
  return match[1];
}

/** Lets `waitUntil` work that should not happen have its chance to happen. */
export const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));
