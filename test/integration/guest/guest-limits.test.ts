import { describe, expect, it } from 'vitest';
import { bearer } from '../../helpers/auth';
import { createSite, startGuest, useGuestFakes } from '../../helpers/guest';
import { postJson, readError } from '../../helpers/http';

const ask = (token: string, ip: string, message = 'Tell me about the moon') =>
  postJson('/api/v1/chat', { message, stream: false }, { ...bearer(token), 'CF-Connecting-IP': ip });

let net = 0;
/** A fresh /24 per test, so network allowances never leak between tests. */
const network = () => {
  net += 1;
  return (host: number) => `198.18.${net}.${host}`;
};

describe('guest limits (per site)', { timeout: 30_000 }, () => {
  it('limits messages per minute per visitor, and says in words when to send the next', async () => {
    useGuestFakes();
    const ip = network();
    const { site } = await createSite({ guestMessagesPerMinute: 2 });
    const guest = await startGuest(site.id);
    expect((await ask(guest.accessToken, ip(1))).status).toBe(200);
    expect((await ask(guest.accessToken, ip(1))).status).toBe(200);
    const refused = await ask(guest.accessToken, ip(1));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
    const error = await readError(refused);
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.message).toMatch(/next one in \d+ seconds/);
    // Another visitor on the same site is not held back by this one.
    const other = await startGuest(site.id);
    expect((await ask(other.accessToken, ip(2))).status).toBe(200);
  });

  it('limits messages per day per visitor, and says when they can chat again', async () => {
    useGuestFakes();
    const ip = network();
    const { site } = await createSite({ guestMessagesPerDay: 2, guestMessagesPerMinute: 50 });
    const guest = await startGuest(site.id);
    expect((await ask(guest.accessToken, ip(1))).status).toBe(200);
    expect((await ask(guest.accessToken, ip(1))).status).toBe(200);
    const refused = await ask(guest.accessToken, ip(1));
    expect(refused.status).toBe(429);
    const error = await readError(refused);
    expect(error.code).toBe('MESSAGE_QUOTA_EXCEEDED');
    expect(error.message).toMatch(/chat again in (\d+ (seconds|minutes)|about \d+ hours) \(midnight UTC\)/);
  });

  it('limits messages per day per network (IP prefix) across visitors', async () => {
    useGuestFakes();
    const ip = network();
    const { site } = await createSite({ guestIpMessagesPerDay: 2 });
    const first = await startGuest(site.id);
    const second = await startGuest(site.id);
    expect((await ask(first.accessToken, ip(10))).status).toBe(200);
    expect((await ask(second.accessToken, ip(20))).status).toBe(200);
    // A third visitor from the same /24: refused, whoever they are.
    const third = await startGuest(site.id);
    const refused = await ask(third.accessToken, ip(30));
    expect(refused.status).toBe(429);
    const error = await readError(refused);
    expect(error.code).toBe('NETWORK_QUOTA_EXCEEDED');
    expect(error.message).toMatch(/chat again in/);
    // Another network is not affected.
    expect((await ask(third.accessToken, network()(1))).status).toBe(200);
  });

  it('does not count a refused visitor against their network', async () => {
    useGuestFakes();
    const ip = network();
    const { site } = await createSite({ guestIpMessagesPerDay: 2, guestMessagesPerMinute: 1 });
    const guest = await startGuest(site.id);
    expect((await ask(guest.accessToken, ip(1))).status).toBe(200);
    expect((await ask(guest.accessToken, ip(1))).status).toBe(429); // their own per-minute limit
    const neighbour = await startGuest(site.id);
    expect((await ask(neighbour.accessToken, ip(2))).status).toBe(200);
  });

  it('stops model answers at the site’s daily token ceiling, on top of the deployment’s', async () => {
    useGuestFakes();
    const ip = network();
    // A visitor's day holds a turn's reservation (prompt bound + max_tokens), a quarter of the site's (one shard) does not.
    const { site } = await createSite({ guestTokensPerDay: 12_000 });
    const guest = await startGuest(site.id);
    const refused = await ask(guest.accessToken, ip(1));
    expect(refused.status).toBe(429);
    const error = await readError(refused);
    expect(error.code).toBe('SITE_BUDGET_EXCEEDED');
    expect(error.message).toMatch(/back in/);
    // A generous site's guests are answered.
    const { site: open } = await createSite();
    expect((await ask((await startGuest(open.id)).accessToken, ip(2))).status).toBe(200);
  });
});
