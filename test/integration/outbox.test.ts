import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { newIdentity } from '../helpers/auth';
import { callerWith, postJson, readError } from '../helpers/http';
import { uniqueIp } from '../helpers/logs';
import { waitForMail } from '../helpers/mail';

const development = callerWith({ ENVIRONMENT: 'development' });

describe('GET /api/v1/dev/outbox', () => {
  it('lists mail newest first on a loopback development server', async () => {
    const identity = newIdentity();
    await postJson('/api/v1/auth/register', identity);
    await waitForMail(identity.email, /Confirm your email/);
    const res = await development('/api/v1/dev/outbox');
    expect(res.status).toBe(200);
    const { messages } = (await res.json()) as {
      messages: { to: string; subject: string; text: string; sentAt: string }[];
    };
    const mine = messages.find((m) => m.to === identity.email);
    expect(mine).toMatchObject({
      subject: expect.stringMatching(/Confirm your email/),
      text: expect.stringContaining('#/verify/'),
    });
    const times = messages.map((m) => Date.parse(m.sentAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('is 404 outside development, and on a development server reached by a non-loopback host', async () => {
    expect((await callerWith({})('/api/v1/dev/outbox')).status).toBe(404);
    const res = await createApp().fetch(
      new Request('https://staging.example.com/api/v1/dev/outbox', { headers: { 'CF-Connecting-IP': uniqueIp() } }),
      { ...env, ENVIRONMENT: 'development' },
      createExecutionContext(),
    );
    expect(res.status).toBe(404);
    expect((await readError(res)).code).toBe('NOT_FOUND');
  });
});
