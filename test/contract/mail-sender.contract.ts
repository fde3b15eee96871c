import { describe, expect, it } from 'vitest';
import type { MailMessage, MailSender } from '../../src/modules/mail/mail.types';

/**
 * What every mail backend must do: accept a plain-text message with an optional HTML part and
 * resolve once the provider took it; reject (never resolve quietly) when the provider refused.
 * `delivered` reads back what the provider received, in the backend's own terms.
 */
export function mailSenderContract(
  name: string,
  setup: () => {
    sender: MailSender;
    failing: MailSender;
    delivered: (to: string) => Promise<{ subject: string; text: string; html?: string | null | undefined }[]>;
  },
): void {
  describe(`mail sender contract: ${name}`, () => {
    const message = (to: string): MailMessage => ({
      to,
      subject: 'Confirm your email for Support',
      text: 'Welcome.\n\nhttps://app.example.test/#/verify/abc\n',
      html: '<p>Welcome.</p>',
    });

    it('delivers subject, text and HTML to the recipient', async () => {
      const { sender, delivered } = setup();
      const to = `contract-${crypto.randomUUID()}@example.com`;
      await sender.send(message(to));
      const got = await delivered(to);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ subject: 'Confirm your email for Support', text: message(to).text });
    });

    it('sends a text-only message', async () => {
      const { sender, delivered } = setup();
      const to = `contract-${crypto.randomUUID()}@example.com`;
      await sender.send({ to, subject: 'Plain', text: 'Only text.' });
      expect((await delivered(to))[0]).toMatchObject({ subject: 'Plain', text: 'Only text.' });
    });

    it('rejects when the provider refuses', async () => {
      const { failing } = setup();
      await expect(failing.send(message('nobody@example.com'))).rejects.toThrow();
    });
  });
}
