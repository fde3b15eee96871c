import { desc, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { devOutbox } from '../../db/schema';
import type { MailMessage, MailSender } from './mail.types';

/** How many messages the development outbox keeps; older ones are dropped as new ones arrive. */
export const OUTBOX_KEEP = 200;

/** Development and tests: mail lands in D1 and is read back at `GET /api/v1/dev/outbox`. */
export class OutboxMailSender implements MailSender {
  constructor(private readonly db: Db) {}

  async send(message: MailMessage): Promise<void> {
    const sentAt = new Date();
    await this.db.batch([
      this.db.insert(devOutbox).values({
        id: crypto.randomUUID(),
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html ?? null,
        sentAt,
      }),
      this.db
        .delete(devOutbox)
        .where(
          lt(
            devOutbox.sentAt,
            sql`(SELECT sent_at FROM dev_outbox ORDER BY sent_at DESC LIMIT 1 OFFSET ${OUTBOX_KEEP - 1})`,
          ),
        ),
    ]);
  }
}

/** Newest first. */
export async function readOutbox(db: Db, limit = 50) {
  const rows = await db.select().from(devOutbox).orderBy(desc(devOutbox.sentAt), desc(devOutbox.id)).limit(limit);
  return rows.map((row) => ({ to: row.to, subject: row.subject, text: row.text, sentAt: row.sentAt.toISOString() }));
}
