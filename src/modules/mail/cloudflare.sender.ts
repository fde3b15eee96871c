import type { MailMessage, MailSender } from './mail.types';

/** Cloudflare Email Service through the `send_email` binding (`[[send_email]] name = "EMAIL"`). */
export class CloudflareMailSender implements MailSender {
  constructor(
    private readonly binding: SendEmail,
    private readonly from: string,
  ) {}

  async send(message: MailMessage): Promise<void> {
    await this.binding.send({
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      ...(message.html ? { html: message.html } : {}),
    });
  }
}
