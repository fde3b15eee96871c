/** One mail to one person: plain text always, HTML made from the same words. */
export type MailMessage = { to: string; subject: string; text: string; html?: string | undefined };

/**
 * The one contract every mail backend honours (tested by test/contract/mail-sender.contract.ts):
 * `send` resolves once the provider accepted the message and rejects when it did not.
 */
export interface MailSender {
  send(message: MailMessage): Promise<void>;
}
