import { AppError } from '../../lib/errors';
import { secondsToUtcMidnight } from './admission.errors';

/** "in 40 seconds", "in 12 minutes", "in about 5 hours": a visitor reads this, not a header. */
export function inWords(seconds: number): string {
  if (seconds < 90) return `in ${Math.max(1, Math.ceil(seconds))} seconds`;
  if (seconds < 90 * 60) return `in ${Math.ceil(seconds / 60)} minutes`;
  return `in about ${Math.round(seconds / 3600)} hours`;
}

/** A guest's refusals say in words when to come back (the Retry-After header says it to programs). */
export const guestRefusals = {
  tooFast: (retryAfter: number) =>
    new AppError(
      429,
      'RATE_LIMITED',
      `You are sending messages faster than this chat allows. You can send the next one ${inWords(retryAfter)}.`,
      { headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfter))) } },
    ),
  messages: () => {
    const wait = secondsToUtcMidnight();
    return new AppError(
      429,
      'MESSAGE_QUOTA_EXCEEDED',
      `You have sent today’s maximum number of messages. You can chat again ${inWords(wait)} (midnight UTC).`,
      { headers: { 'Retry-After': String(wait) } },
    );
  },
  network: () => {
    const wait = secondsToUtcMidnight();
    return new AppError(
      429,
      'NETWORK_QUOTA_EXCEEDED',
      `Too many messages came from your network today. You can chat again ${inWords(wait)} (midnight UTC).`,
      { headers: { 'Retry-After': String(wait) } },
    );
  },
  siteBudget: () => {
    const wait = secondsToUtcMidnight();
    return new AppError(
      429,
      'SITE_BUDGET_EXCEEDED',
      `The assistant has answered all it can on this website today. It is back ${inWords(wait)} (midnight UTC).`,
      { headers: { 'Retry-After': String(wait) } },
    );
  },
  disabled: () => new AppError(403, 'GUEST_CHAT_DISABLED', 'Chat without an account is turned off on this website.'),
};
