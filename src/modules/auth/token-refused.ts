import { AppError } from '../../lib/errors';

export const bearerChallenge = (error?: string) => ({
  'WWW-Authenticate': error ? `Bearer realm="api", error="${error}"` : 'Bearer realm="api"',
});

/** A well-signed token whose account has moved on (new token version, deactivated, deleted). */
export const tokenNoLongerValid = () =>
  new AppError(401, 'UNAUTHORIZED', 'The access token is no longer valid. Sign in again.', {
    headers: bearerChallenge('invalid_token'),
  });
