import type { MailConfig } from './mail.config';
import type { MailMessage } from './mail.types';

/**
 * The mails the product sends, as plain text per locale (add a locale by adding a catalog with the
 * same keys). Links are built from PUBLIC_APP_URL and point at the web client's pages.
 */
type Vars = { product: string; link: string; hours?: number; minutes?: number };
type Template = { subject: (v: Vars) => string; body: (v: Vars) => string[] };

const en = {
  verifyEmail: {
    subject: (v) => `Confirm your email for ${v.product}`,
    body: (v) => [
      `Welcome to ${v.product}.`,
      `Confirm your email address to start chatting with our assistant:`,
      v.link,
      `The link works once and expires in ${v.hours} hours. If you did not sign up, ignore this mail: without a confirmed address the account is removed after 7 days.`,
    ],
  },
  signupExisting: {
    subject: (v) => `Someone tried to sign up to ${v.product} with your address`,
    body: (v) => [
      `Someone (perhaps you) tried to create a ${v.product} account with this email address, which already has one.`,
      `If it was you, sign in instead. Forgot your password? Reset it here:`,
      v.link,
      `If it was not you, you can ignore this mail: nothing has changed on your account.`,
    ],
  },
  resetPassword: {
    subject: (v) => `Reset your ${v.product} password`,
    body: (v) => [
      `Someone (hopefully you) asked to reset the password of your ${v.product} account.`,
      `Choose a new password here:`,
      v.link,
      `The link works once and expires in ${v.minutes} minutes. If you did not ask, ignore this mail: your password stays as it is.`,
    ],
  },
  passwordChanged: {
    subject: (v) => `Your ${v.product} password was changed`,
    body: (v) => [
      `The password of your ${v.product} account was just reset, and every signed-in session was ended.`,
      `If this was not you, reset your password at once:`,
      v.link,
    ],
  },
  signinLink: {
    subject: (v) => `Your ${v.product} sign-in link`,
    body: (v) => [
      `Your ${v.product} account has seen many failed sign-in attempts, so signing in with a password now also needs this link:`,
      v.link,
      `It works once, only for you, and expires in ${v.minutes} minutes. If you were not signing in just now, someone else knows or is guessing your password: reset it.`,
    ],
  },
  mfaReset: {
    subject: (v) => `Two-factor sign-in was turned off on your ${v.product} account`,
    body: (v) => [
      `An administrator turned off two-factor authentication on your ${v.product} account and ended its sessions.`,
      `Sign in and set it up again:`,
      v.link,
      `If you did not ask for this, contact your administrator.`,
    ],
  },
} satisfies Record<string, Template>;

export type MailKind = keyof typeof en;
const catalogs: Record<string, Record<MailKind, Template>> = { en };

/** A page of the web client: `#/verify/<token>` and the like. */
export const appLink = (config: MailConfig, route: string) => `${config.appUrl}/#/${route}`;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);

export function renderMail(
  kind: MailKind,
  to: string,
  config: MailConfig,
  vars: Omit<Vars, 'product'>,
  locale = 'en',
): MailMessage {
  const template = (catalogs[locale] ?? en)[kind];
  const all = { ...vars, product: config.productName };
  const paragraphs = template.body(all);
  const html = paragraphs
    .map((p) =>
      p === vars.link ? `<p><a href="${escapeHtml(p)}">${escapeHtml(p)}</a></p>` : `<p>${escapeHtml(p)}</p>`,
    )
    .join('\n');
  return { to, subject: template.subject(all), text: `${paragraphs.join('\n\n')}\n`, html };
}
