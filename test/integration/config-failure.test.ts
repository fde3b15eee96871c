import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect, it, vi } from 'vitest';
import { createApp } from '../../src/app';
import { ORIGIN, readError } from '../helpers/http';

it('answers a generic 500 when configuration is invalid, and logs the variable by name', async () => {
  const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
  const res = await createApp().fetch(
    new Request(`${ORIGIN}/api/v1/health`),
    { ...env, MAX_BODY_BYTES: 'not-a-number' },
    createExecutionContext(),
  );
  expect(res.status).toBe(500);
  const error = await readError(res);
  expect(error.code).toBe('INTERNAL_ERROR');
  expect(error.message).not.toContain('MAX_BODY_BYTES');
  expect(res.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
  expect(logged.mock.calls.some(([line]) => String(line).includes('MAX_BODY_BYTES'))).toBe(true);
});
