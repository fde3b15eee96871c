import { AppError } from '../../lib/errors';

export const bearerChallenge = (error?: string) => ({
  'WWW-Authenticate': error ? `Bearer realm="api", error="${error}"` : 'Bearer realm="api"',
});

/** A well-signed token whose account has moved on (new token version, deactivated, deleted). */
export const tokenNoLongerValid = () =>
  new AppError(401, 'UNAUTHORIZED', 'The access token is no longer valid. Sign in again.', {
    headers: bearerChallenge('invalid_token'),
  });

export const forbidden = () => new AppError(403, 'FORBIDDEN', 'You do not have permission to do this.');

/** Unknown, malformed, expired, revoked, rotated-out, or its owner gone: one answer for all of them. */
export const invalidApiKey = () =>
  new AppError(401, 'UNAUTHORIZED', 'The API key is not valid.', { headers: bearerChallenge('invalid_token') });
