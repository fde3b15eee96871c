import { env } from 'cloudflare:workers';
import type { z } from '@hono/zod-openapi';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FaqListSchema, FaqSchema } from '../../src/modules/faqs/faqs.schemas';
import { bearer, registerAndLogin, type Session } from '../helpers/auth';
import { call, readError } from '../helpers/http';

// Wire shapes from the route definitions themselves, so the tests cannot drift from the API.
type Faq = z.infer<typeof FaqSchema>;
type FaqPage = z.infer<typeof FaqListSchema>;

const DELIVERY_HOURS = 'fc0fa000-0000-4000-8000-000000000001';

let moderator: Session;
let admin: Session;
let customer: Session;

beforeAll(async () => {
  [moderator, admin, customer] = await Promise.all([
    registerAndLogin('moderator'),
    registerAndLogin('admin'),
    registerAndLogin('user'),
  ]);
});

const send = (method: string, path: string, session: Session, body?: unknown) =>
  call(path, {
    method,
    headers: { ...bearer(session.accessToken), 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

async function create(body: Record<string, unknown>, session = moderator): Promise<Faq> {
  const res = await send('POST', '/api/v1/faqs', session, body);
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { faq: Faq }).faq;
}

async function list(query: string, session?: Session): Promise<FaqPage> {
  const res = await call(`/api/v1/faqs${query}`, session ? { headers: bearer(session.accessToken) } : {});
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as FaqPage;
}

const search = async (q: string, session?: Session) =>
  (await list(`?q=${encodeURIComponent(q)}`, session)).items.map((faq) => faq.id);

describe('reading the knowledge base', () => {
  it('lists published entries to anyone, newest first, in the documented shape', async () => {
    const page = await list('');
    expect(page).toMatchObject({ page: 1, pageSize: 20 });
    expect(page.total).toBeGreaterThanOrEqual(15);
    expect(page.items.every((faq) => faq.published)).toBe(true);
    expect(Object.keys(page.items[0] ?? {}).sort()).toEqual(
      ['answer', 'createdAt', 'id', 'published', 'question', 'tags', 'updatedAt'].sort(),
    );
    const times = page.items.map((faq) => Date.parse(faq.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('ranks the best match first', async () => {
    expect((await search('What are your delivery hours?'))[0]).toBe(DELIVERY_HOURS);
    expect((await search('refunds'))[0]).toBe('fc0fa000-0000-4000-8000-000000000005');
  });

  it('filters by tag, case-insensitively', async () => {
    const page = await list('?tag=REFUND');
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((faq) => faq.tags.includes('refund'))).toBe(true);
  });

  it('caps the page size at 50 and pages through results', async () => {
    expect((await list('?pageSize=50')).pageSize).toBe(50);
    const tooBig = await call('/api/v1/faqs?pageSize=51');
    expect(tooBig.status).toBe(400);
    expect((await readError(tooBig)).code).toBe('VALIDATION_ERROR');
    expect((await call('/api/v1/faqs?page=0')).status).toBe(400);
    const [first, second] = [await list('?pageSize=2&page=1'), await list('?pageSize=2&page=2')];
    expect(first.items).toHaveLength(2);
    expect(second.items.map((f) => f.id)).not.toContain(first.items[0]?.id);
    expect(second.total).toBe(first.total);
  });

  it('answers one entry, and 404 or 400 for unknown or malformed ids', async () => {
    const res = await call(`/api/v1/faqs/${DELIVERY_HOURS}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { faq: Faq }).faq.question).toBe('What are your delivery hours?');
    const missing = await call(`/api/v1/faqs/${crypto.randomUUID()}`);
    expect(missing.status).toBe(404);
    expect((await readError(missing)).code).toBe('NOT_FOUND');
    expect((await call('/api/v1/faqs/not-a-uuid')).status).toBe(400);
  });

  it('refuses a bad token instead of treating the caller as anonymous', async () => {
    const res = await call('/api/v1/faqs', { headers: { Authorization: 'Bearer not.a.valid-token-at-all' } });
    expect(res.status).toBe(401);
  });
});

describe('drafts', () => {
  it('are visible to editors only: 404 and absent from lists and search for everyone else', async () => {
    const draft = await create({ question: 'Do you deliver marzipan pigs?', answer: 'At Christmas.' });
    expect(draft.published).toBe(false);

    expect((await call(`/api/v1/faqs/${draft.id}`)).status).toBe(404);
    expect((await call(`/api/v1/faqs/${draft.id}`, { headers: bearer(customer.accessToken) })).status).toBe(404);
    expect((await call(`/api/v1/faqs/${draft.id}`, { headers: bearer(moderator.accessToken) })).status).toBe(200);
    expect((await call(`/api/v1/faqs/${draft.id}`, { headers: bearer(admin.accessToken) })).status).toBe(200);

    expect(await search('marzipan')).toEqual([]);
    expect(await search('marzipan', customer)).toEqual([]);
    expect(await search('marzipan', moderator)).toEqual([draft.id]);
    expect((await list('?pageSize=50', moderator)).items.map((f) => f.id)).toContain(draft.id);

    expect((await send('PATCH', `/api/v1/faqs/${draft.id}`, moderator, { published: true })).status).toBe(200);
    expect(await search('marzipan')).toEqual([draft.id]);
  });
});

describe('editing', () => {
  it('creates with trimmed text, lowercased deduplicated tags, and records the author', async () => {
    const faq = await create({
      question: '  Can I order for a friend?  ',
      answer: 'Yes.\nAdd their address at checkout.',
      tags: ['Gifts', 'gifts', 'friends-family'],
      published: true,
    });
    expect(faq).toMatchObject({ question: 'Can I order for a friend?', tags: ['gifts', 'friends-family'] });
    expect(faq.answer).toBe('Yes.\nAdd their address at checkout.');
    const row = await env.DB.prepare('SELECT created_by, hit_count FROM faqs WHERE id = ?').bind(faq.id).first();
    expect(row).toEqual({ created_by: moderator.userId, hit_count: 0 });
  });

  it.each([
    ['an unknown field', { question: 'Q?', answer: 'A.', hitCount: 99 }],
    ['a missing answer', { question: 'Q?' }],
    ['a blank question', { question: '   ', answer: 'A.' }],
    ['a question over 300 characters', { question: 'q'.repeat(301), answer: 'A.' }],
    ['an answer over 4000 characters', { question: 'Q?', answer: 'a'.repeat(4001) }],
    ['11 tags', { question: 'Q?', answer: 'A.', tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }],
    ['a tag with spaces', { question: 'Q?', answer: 'A.', tags: ['two words'] }],
    ['a tag over 40 characters', { question: 'Q?', answer: 'A.', tags: ['t'.repeat(41)] }],
    ['a control character', { question: 'Q?\u0007', answer: 'A.' }],
    ['a non-boolean published', { question: 'Q?', answer: 'A.', published: 'yes' }],
  ])('refuses %s with 400', async (_, body) => {
    const res = await send('POST', '/api/v1/faqs', moderator, body);
    expect(res.status).toBe(400);
    expect((await readError(res)).code).toBe('VALIDATION_ERROR');
  });

  it('accepts the limits exactly', async () => {
    const faq = await create({
      question: 'q'.repeat(300),
      answer: 'a'.repeat(4000),
      tags: Array.from({ length: 10 }, (_, i) => `${'t'.repeat(38)}${i}`),
    });
    expect(faq.tags).toHaveLength(10);
  });

  it('patches only what is sent, refuses empty or unknown patches, 404s unknown entries', async () => {
    const faq = await create({ question: 'Is parking free?', answer: 'Yes.', tags: ['parking'] });
    const res = await send('PATCH', `/api/v1/faqs/${faq.id}`, admin, { answer: 'For 30 minutes.' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { faq: Faq }).faq).toMatchObject({
      question: 'Is parking free?',
      answer: 'For 30 minutes.',
      tags: ['parking'],
    });
    expect((await send('PATCH', `/api/v1/faqs/${faq.id}`, admin, {})).status).toBe(400);
    expect((await send('PATCH', `/api/v1/faqs/${faq.id}`, admin, { createdBy: null })).status).toBe(400);
    expect((await send('PATCH', `/api/v1/faqs/${crypto.randomUUID()}`, admin, { published: true })).status).toBe(404);
  });

  it('lets moderators and admins delete; the entry is gone afterwards', async () => {
    for (const session of [moderator, admin]) {
      const faq = await create({ question: 'Temporary?', answer: 'Yes.', published: true });
      expect((await send('DELETE', `/api/v1/faqs/${faq.id}`, session)).status).toBe(204);
      expect((await call(`/api/v1/faqs/${faq.id}`, { headers: bearer(admin.accessToken) })).status).toBe(404);
      expect((await send('DELETE', `/api/v1/faqs/${faq.id}`, session)).status).toBe(404);
    }
  });

  it('forbids customers to write, before looking anything up', async () => {
    const res = await send('PATCH', `/api/v1/faqs/${crypto.randomUUID()}`, customer, { published: true });
    expect(res.status).toBe(403);
    expect((await send('DELETE', `/api/v1/faqs/${DELIVERY_HOURS}`, customer)).status).toBe(403);
    expect((await call('/api/v1/faqs', { method: 'POST', body: '{}' })).status).toBe(415);
  });
});

describe('search stays in sync with edits', () => {
  it('finds new words after an update and nothing after a delete', async () => {
    const faq = await create({ question: 'Do you sell rambutans?', answer: 'Sometimes.', published: true });
    expect(await search('rambutans')).toEqual([faq.id]);

    await send('PATCH', `/api/v1/faqs/${faq.id}`, moderator, { question: 'Do you sell mangosteens?' });
    expect(await search('rambutans')).toEqual([]);
    expect(await search('mangosteen')).toEqual([faq.id]);

    await send('PATCH', `/api/v1/faqs/${faq.id}`, moderator, { tags: ['tropical'] });
    expect(await search('tropical')).toEqual([faq.id]);

    expect((await send('DELETE', `/api/v1/faqs/${faq.id}`, moderator)).status).toBe(204);
    expect(await search('mangosteen')).toEqual([]);
    expect(await search('tropical')).toEqual([]);
  });
});

describe('hostile search input', () => {
  const hostile = [
    '"',
    '"unterminated',
    'NEAR(',
    'NEAR(delivery hours, 1)',
    '*',
    'deliv*',
    'col:',
    'question:refund',
    '-x',
    ') OR (',
    '^delivery',
    'delivery AND',
    'OR OR OR',
    'NOT',
    '🥦🥕🍞',
    "'; DROP TABLE faqs; --",
    '1 OR 1=1',
    '\\" OR \\"',
    '%00',
    '\u0000',
    'x'.repeat(1999),
    'delivery '.repeat(220),
  ];

  it.each(hostile)('answers 200 for %j', async (q) => {
    const res = await call(`/api/v1/faqs?q=${encodeURIComponent(q)}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as FaqPage;
    expect(page.items.every((faq) => faq.published)).toBe(true);
  });

  it('searches operator words as plain words', async () => {
    const faq = await create({ question: 'What does NEAR expiry mean?', answer: 'Use it soon.', published: true });
    expect(await search('NEAR')).toContain(faq.id);
  });

  it('still has its data afterwards, and refuses absurdly long queries with 400', async () => {
    expect((await list('')).total).toBeGreaterThanOrEqual(15);
    expect((await call(`/api/v1/faqs?q=${'x'.repeat(2001)}`)).status).toBe(400);
  });
});
