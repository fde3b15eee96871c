import { expect, it } from 'vitest';
import { errorDetail } from '../../src/lib/error-detail';

it('keeps query parameters (emails, hashes, message text) out of error logs', () => {
  const driver = new Error('D1_ERROR: UNIQUE constraint failed: users.username');
  const wrapped = new Error(
    'Failed query: update "users" set "username" = ? where "id" = ?\nparams: jane@example.com,42',
    {
      cause: driver,
    },
  );
  const detail = errorDetail(wrapped);
  expect(JSON.stringify(detail)).not.toContain('jane@example.com');
  expect(detail.error).toContain('UNIQUE constraint failed');
  expect(errorDetail(new TypeError('boom')).error).toBe('TypeError: boom');
});
