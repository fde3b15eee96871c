import { AppError } from '../../lib/errors';
import type { Refusal } from './admission.types';

/** Seconds until the next UTC midnight, when daily budgets and quotas start again. */
export function secondsToUtcMidnight(now = Date.now()): number {
  const midnight = Math.floor(now / 86_400_000) * 86_400_000 + 86_400_000;
  return Math.max(1, Math.ceil((midnight - now) / 1000));
}

/** The public answer for each way admission refuses; `account` is the caller's to map (it knows the credential). */
export function refusalError(refusal: Exclude<Refusal, 'account' | 'rate'>): AppError {
  switch (refusal) {
    case 'unverified':
      return new AppError(
        403,
        'EMAIL_NOT_VERIFIED',
        'Confirm your email address to chat: follow the link we sent you, or ask for a new one.',
      );
    case 'conversations':
      return new AppError(
        429,
        'CONVERSATION_LIMIT_REACHED',
        'You have reached the number of conversations you can keep. Delete an old one to start a new one.',
        { headers: { 'Retry-After': String(secondsToUtcMidnight()) } },
      );
    case 'messages':
      return new AppError(
        429,
        'MESSAGE_QUOTA_EXCEEDED',
        'You have sent today’s maximum number of messages. It resets at midnight UTC.',
        {
          headers: { 'Retry-After': String(secondsToUtcMidnight()) },
        },
      );
    case 'streams':
      return new AppError(429, 'TOO_MANY_STREAMS', 'You already have answers in progress. Wait for them to finish.', {
        headers: { 'Retry-After': '5' },
      });
    case 'busy':
      return new AppError(
        409,
        'CONVERSATION_BUSY',
        'The previous answer in this conversation is still being written.',
        {
          headers: { 'Retry-After': '2' },
        },
      );
  }
}

export function budgetExceeded(): AppError {
  return new AppError(
    429,
    'TOKEN_BUDGET_EXCEEDED',
    'You have used today’s assistant allowance. It resets at midnight UTC.',
    {
      headers: { 'Retry-After': String(secondsToUtcMidnight()) },
    },
  );
}

export function ceilingReached(): AppError {
  return new AppError(
    503,
    'ASSISTANT_CAPACITY_REACHED',
    'The assistant has answered all it can for today. Answers from our help articles still work, and it is back after midnight UTC.',
    { headers: { 'Retry-After': String(secondsToUtcMidnight()) } },
  );
}
