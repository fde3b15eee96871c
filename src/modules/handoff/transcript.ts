import { count, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { messages } from '../../db/schema';
import type { MailConfig } from '../mail/mail.config';
import { appLink } from '../mail/mail.templates';
import type { MailMessage } from '../mail/mail.types';
import type { InboxItem } from './handoff.types';
import { inboxItem } from './inbox.service';

/** The newest messages a transcript carries; older ones are counted, not copied. */
const MAX_MESSAGES = 200;
/** Per message: a pasted log must not turn the mail into megabytes. */
const MAX_MESSAGE_CHARS = 4000;

const ROLE_LABELS = { user: 'Customer', assistant: 'Assistant', system: 'Notice', operator: 'Operator' } as const;

export type TranscriptKind = 'timeout' | 'contact';

const oneLine = (text: string, max = 120) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
};

function customerLine(item: InboxItem): string {
  const c = item.customer;
  if (c.kind === 'account') return `${c.displayName} <${c.email}> (account ${c.userId})`;
  const signed = [c.customerId && `customer id ${c.customerId}`, c.email && `email ${c.email}`].filter(Boolean);
  return `website visitor ${c.visitorId}${signed.length ? ` (signed by the site: ${signed.join(', ')})` : ' (not identified by the site)'}`;
}

/**
 * A handoff's transcript as a plain-text mail for the support inbox: who, where, why, the contact
 * address if one was left, the summary, then every message (the newest MAX_MESSAGES, each bounded)
 * with its author and time. Undefined when the conversation is gone.
 */
export async function transcriptMail(
  db: Db,
  mail: MailConfig,
  conversationId: string,
  to: string,
  kind: TranscriptKind,
): Promise<MailMessage | undefined> {
  const [item, rows, [total]] = await Promise.all([
    inboxItem(db, conversationId),
    db
      .select({
        role: messages.role,
        content: messages.content,
        authorName: messages.authorName,
        createdAt: messages.createdAt,
      })
      .from(messages)
      .where(eq(messages.conversationId, conversationId))
      .orderBy(desc(messages.createdAt), desc(messages.id))
      .limit(MAX_MESSAGES),
    db.select({ value: count() }).from(messages).where(eq(messages.conversationId, conversationId)),
  ]);
  if (!item) return undefined;
  const title = oneLine(item.title, 80);
  const subject =
    kind === 'timeout'
      ? `[${mail.productName}] Nobody took this handoff: ${title}`
      : `[${mail.productName}] Contact email left on a handoff: ${title}`;
  const intro =
    kind === 'timeout'
      ? 'A customer asked for a person and nobody claimed the conversation in time. They were told so, and may leave an email address.'
      : `The customer of a handoff nobody claimed left an address for a reply: ${item.contactEmail ?? '(none)'}`;
  const omitted = (total?.value ?? rows.length) - rows.length;
  const lines = [
    intro,
    '',
    `Conversation: ${title}`,
    `Open in the inbox: ${appLink(mail, `inbox/${item.conversationId}`)}`,
    `Site: ${item.site ? `${item.site.name} (${item.site.id})` : 'none (signed-in customer)'}`,
    `Customer: ${customerLine(item)}`,
    `Contact email: ${item.contactEmail ?? 'none left yet'}`,
    `Asked by: ${item.trigger ?? 'unknown'}${item.requestedAt ? ` at ${item.requestedAt}` : ''}`,
    `Reason: ${item.reason ?? 'none given'}`,
    `Summary: ${item.summary ?? 'none'}`,
    '',
    '--- Transcript (UTC) ---',
    ...(omitted > 0 ? [`(${omitted} earlier messages not included)`] : []),
    ...rows.reverse().map((m) => {
      const who = m.role === 'operator' && m.authorName ? `${m.authorName} (operator)` : ROLE_LABELS[m.role];
      const text = m.content.length > MAX_MESSAGE_CHARS ? `${m.content.slice(0, MAX_MESSAGE_CHARS)}… [cut]` : m.content;
      return `[${m.createdAt.toISOString()}] ${who}:\n${text}\n`;
    }),
  ];
  return { to, subject, text: `${lines.join('\n')}\n` };
}
