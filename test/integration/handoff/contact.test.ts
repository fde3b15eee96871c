import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { bearer, registerAndLogin, type Session } from '../../helpers/auth';
import { createSite, startGuest, useGuestFakes } from '../../helpers/guest';
import { seedHandoff } from '../../helpers/handoff-rows';
import { postJson, readError } from '../../helpers/http';
import { mailsTo, settle, waitForMail } from '../../helpers/mail';

const SUPPORT_INBOX = 'support-inbox@example.com';

let customer: Promise<Session> | undefined;
const customerSession = () => {
  customer ??= registerAndLogin('user');
  return customer;
};

const leave = (token: string, conversationId: string, body: unknown) =>
  postJson(`/api/v1/conversations/${conversationId}/contact`, body, bearer(token));

const storedContact = (handoffId: string) =>
  env.DB.prepare('SELECT contact_email AS email FROM handoffs WHERE id = ?')
    .bind(handoffId)
    .first<string | null>('email');

const contactMails = async (title: string) =>
  (await mailsTo(SUPPORT_INBOX)).filter((m) => m.subject.includes(title) && /Contact email left/.test(m.subject));

describe('POST /api/v1/conversations/{id}/contact', () => {
  it('stores the address on the waiting handoff without mailing anyone while operators may still come', async () => {
    const session = await customerSession();
    const title = `Waiting ${crypto.randomUUID()}`;
    const seeded = await seedHandoff({ userId: session.userId }, { title });
    const res = await leave(session.accessToken, seeded.conversationId, { email: 'ada.home@example.com' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ contactEmail: 'ada.home@example.com', forwarded: false });
    expect(await storedContact(seeded.handoffId)).toBe('ada.home@example.com');
    await settle(200);
    expect(await contactMails(title)).toEqual([]);
  });

  it('forwards a new address on a timed-out handoff to the support inbox with the transcript, once', async () => {
    const session = await customerSession();
    const title = `Timed out ${crypto.randomUUID()}`;
    const seeded = await seedHandoff({ userId: session.userId }, { title, timedOutAt: Date.now() - 1000 });
    const since = Date.now();
    const res = await leave(session.accessToken, seeded.conversationId, { email: 'ada.home@example.com' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ contactEmail: 'ada.home@example.com', forwarded: true });
    const mail = await waitForMail(SUPPORT_INBOX, new RegExp(`Contact email left.*${title}`), since);
    expect(mail.text).toContain('left an address for a reply: ada.home@example.com');
    expect(mail.text).toContain('Contact email: ada.home@example.com');
    expect(mail.text).toContain('--- Transcript (UTC) ---');

    // The same address again is stored already: no second mail.
    const again = await leave(session.accessToken, seeded.conversationId, { email: 'ada.home@example.com' });
    expect(await again.json()).toEqual({ contactEmail: 'ada.home@example.com', forwarded: false });
    await settle(200);
    expect(await contactMails(title)).toHaveLength(1);
  });

  it('refuses an invalid address with 400 and stores nothing', async () => {
    const session = await customerSession();
    const seeded = await seedHandoff({ userId: session.userId });
    for (const body of [
      { email: 'not an email' },
      { email: `${'a'.repeat(250)}@example.com` },
      {},
      { email: 'a@b.co', x: 1 },
    ]) {
      const res = await leave(session.accessToken, seeded.conversationId, body);
      expect(res.status).toBe(400);
      expect((await readError(res)).code).toBe('VALIDATION_ERROR');
    }
    expect(await storedContact(seeded.handoffId)).toBeNull();
  });

  it('answers 409 CONVERSATION_STATE unless the conversation is waiting for or with a person', async () => {
    const session = await customerSession();
    for (const state of ['bot', 'resolved'] as const) {
      const seeded = await seedHandoff({ userId: session.userId }, { state });
      const res = await leave(session.accessToken, seeded.conversationId, { email: 'ada@example.com' });
      expect(res.status).toBe(409);
      expect((await readError(res)).code).toBe('CONVERSATION_STATE');
      expect(await storedContact(seeded.handoffId)).toBeNull();
    }
    const withOperator = await seedHandoff(
      { userId: session.userId },
      { state: 'with_operator', claimedAt: Date.now() },
    );
    expect((await leave(session.accessToken, withOperator.conversationId, { email: 'ada@example.com' })).status).toBe(
      200,
    );
  });

  it('is the owner’s alone: another customer and an operator both get 404', async () => {
    const session = await customerSession();
    const seeded = await seedHandoff({ userId: session.userId });
    const stranger = await registerAndLogin('user');
    const operator = await registerAndLogin('moderator');
    for (const other of [stranger, operator]) {
      const res = await leave(other.accessToken, seeded.conversationId, { email: 'evil@example.com' });
      expect(res.status).toBe(404);
    }
    expect(await storedContact(seeded.handoffId)).toBeNull();
  });

  it('needs a caller who may chat: anonymous is 401, a viewer 403', async () => {
    const session = await customerSession();
    const seeded = await seedHandoff({ userId: session.userId });
    const anonymous = await postJson(`/api/v1/conversations/${seeded.conversationId}/contact`, { email: 'a@b.co' });
    expect(anonymous.status).toBe(401);
    const viewer = await registerAndLogin('viewer');
    expect((await leave(viewer.accessToken, seeded.conversationId, { email: 'a@b.co' })).status).toBe(403);
  });

  it('works for a website visitor on their own guest conversation', async () => {
    useGuestFakes();
    const { site } = await createSite();
    const guest = await startGuest(site.id);
    const seeded = await seedHandoff({ visitorId: guest.visitorId, siteId: site.id });
    const res = await leave(guest.accessToken, seeded.conversationId, { email: 'visitor@example.com' });
    expect(res.status).toBe(200);
    expect(await storedContact(seeded.handoffId)).toBe('visitor@example.com');
  });
});
