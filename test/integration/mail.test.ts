import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { createDb } from '../../src/db/client';
import { CloudflareMailSender } from '../../src/modules/mail/cloudflare.sender';
import type { MailSender } from '../../src/modules/mail/mail.types';
import { sendWithRetry } from '../../src/modules/mail/mailer';
import { OutboxMailSender } from '../../src/modules/mail/outbox.sender';
import { mailSenderContract } from '../contract/mail-sender.contract';
import { captureLogs, linesWith } from '../helpers/logs';
import { mailsTo } from '../helpers/mail';

/**
 * A stand-in for the `send_email` binding that keeps what Cloudflare Email Service would receive, in
 * its builder form ({from, to, subject, text, html}), and answers as it does ({messageId}); `refuse`
 * rejects as the binding does for an unverified sender or a blocked recipient.
 */
function emailBinding(refuse = false) {
  const sent: { from: string; to: string; subject: string; text?: string; html?: string }[] = [];
  const binding = {
    async send(message: { from: string; to: string; subject: string; text?: string; html?: string }) {
      if (refuse) throw new Error('email.send: destination address is not verified');
      sent.push(message);
      return { messageId: `<${crypto.randomUUID()}@email.cloudflare.net>` };
    },
  };
  return { binding: binding as unknown as SendEmail, sent };
}

mailSenderContract('development outbox (D1)', () => {
  const db = createDb(env.DB);
  const broken = {
    batch: () => Promise.reject(new Error('D1_ERROR: no such table: dev_outbox')),
  } as unknown as typeof db;
  return {
    sender: new OutboxMailSender(db),
    failing: new OutboxMailSender(broken),
    delivered: async (to) => (await mailsTo(to)).map((m) => ({ subject: m.subject, text: m.text })),
  };
});

mailSenderContract('Cloudflare Email Service (send_email binding)', () => {
  const ok = emailBinding();
  return {
    sender: new CloudflareMailSender(ok.binding, 'no-reply@support.example.test'),
    failing: new CloudflareMailSender(emailBinding(true).binding, 'no-reply@support.example.test'),
    delivered: async (to) =>
      ok.sent.filter((m) => m.to === to).map((m) => ({ subject: m.subject, text: m.text ?? '', html: m.html })),
  };
});

describe('CloudflareMailSender', () => {
  it('sends from the configured address in the binding’s builder form', async () => {
    const { binding, sent } = emailBinding();
    await new CloudflareMailSender(binding, 'no-reply@support.example.test').send({
      to: 'jane@example.com',
      subject: 'Hi',
      text: 'Text',
      html: '<p>Text</p>',
    });
    expect(sent).toEqual([
      {
        from: 'no-reply@support.example.test',
        to: 'jane@example.com',
        subject: 'Hi',
        text: 'Text',
        html: '<p>Text</p>',
      },
    ]);
  });
});

describe('sending with one retry', () => {
  const message = { to: 'jane.doe@example.com', subject: 'Reset your Support password', text: 'secret link' };

  it('retries a failed send once and logs both attempts without the address or the text', async () => {
    const logs = captureLogs();
    const send = vi.fn<MailSender['send']>().mockRejectedValueOnce(new Error('provider busy')).mockResolvedValueOnce();
    expect(await sendWithRetry({ send }, message, 'reset', 'req-1', 1)).toBe(true);
    expect(send).toHaveBeenCalledTimes(2);
    expect(linesWith(logs, 'mail not accepted; retrying once')).toHaveLength(1);
    expect(linesWith(logs, 'mail sent')[0]).toMatchObject({ to: 'j***@example.com', attempt: 2 });
    expect(logs.join('\n')).not.toContain('jane.doe');
    expect(logs.join('\n')).not.toContain('secret link');
  });

  it('gives up after the second failure with an error line', async () => {
    const logs = captureLogs();
    const send = vi.fn<MailSender['send']>().mockRejectedValue(new Error('provider down'));
    expect(await sendWithRetry({ send }, message, 'reset', 'req-2', 1)).toBe(false);
    expect(send).toHaveBeenCalledTimes(2);
    expect(linesWith(logs, 'mail not delivered')[0]).toMatchObject({ level: 'error', kind: 'reset' });
  });
});
