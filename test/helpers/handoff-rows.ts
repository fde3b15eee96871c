import { env } from 'cloudflare:workers';

/**
 * Handoff rows written straight to D1, for the parts that start from a stored handoff (webhook body,
 * wait timeout, stats) without going through the chat and the model.
 */
export type SeededHandoff = {
  conversationId: string;
  handoffId: string;
  userId?: string;
  visitorId?: string;
  siteId?: string;
};

const uuid = () => crypto.randomUUID();

export async function seedUser(fullName: string | null = 'Ada Customer') {
  const id = uuid();
  await env.DB.prepare(
    "INSERT INTO users (id, email, username, full_name, password_hash, role) VALUES (?, ?, ?, ?, 'not-a-real-hash', 'user')",
  )
    .bind(id, `${id}@example.com`, `u${id.slice(0, 8)}`, fullName)
    .run();
  return { id, email: `${id}@example.com` };
}

export async function seedSite(name = 'Shop') {
  const id = uuid();
  await env.DB.prepare(
    `INSERT INTO sites (id, name, allowed_origins, guest_messages_per_minute, guest_messages_per_day,
      guest_ip_messages_per_day, guest_tokens_per_day, identity_secret) VALUES (?, ?, '["https://shop.example"]', 5, 50, 100, 10000, 'site-secret-never-sent')`,
  )
    .bind(id, name)
    .run();
  return id;
}

export async function seedVisitor(siteId: string) {
  const id = uuid();
  await env.DB.prepare('INSERT INTO visitors (id, site_id, token_hash, expires_at) VALUES (?, ?, ?, ?)')
    .bind(id, siteId, `hash-${id}`, Date.now() + 86_400_000)
    .run();
  return id;
}

type HandoffOptions = {
  state?: 'bot' | 'waiting' | 'with_operator' | 'resolved';
  trigger?: 'customer' | 'assistant' | 'operator';
  reason?: string | null;
  contactEmail?: string | null;
  requestedAt?: number;
  claimedAt?: number | null;
  resolvedAt?: number | null;
  timedOutAt?: number | null;
  title?: string;
};

/** A conversation owned by `owner` (an account or a site's visitor) with one handoff it points at. */
export async function seedHandoff(
  owner: { userId: string } | { visitorId: string; siteId: string; customerId?: string; customerEmail?: string },
  options: HandoffOptions = {},
): Promise<SeededHandoff> {
  const conversationId = uuid();
  const handoffId = uuid();
  const requestedAt = options.requestedAt ?? Date.now();
  const guest = 'visitorId' in owner ? owner : undefined;
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO conversations (id, user_id, visitor_id, site_id, customer_id, customer_email, title, state, handoff_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).bind(
      conversationId,
      'userId' in owner ? owner.userId : null,
      guest?.visitorId ?? null,
      guest?.siteId ?? null,
      guest?.customerId ?? null,
      guest?.customerEmail ?? null,
      options.title ?? 'Where is my parcel?',
      options.state ?? 'waiting',
      handoffId,
    ),
    env.DB.prepare(
      `INSERT INTO handoffs (id, conversation_id, site_id, trigger, reason, contact_email, requested_at, claimed_at,
        resolved_at, timed_out_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).bind(
      handoffId,
      conversationId,
      guest?.siteId ?? null,
      options.trigger ?? 'customer',
      options.reason === undefined ? 'The parcel never came' : options.reason,
      options.contactEmail ?? null,
      requestedAt,
      options.claimedAt ?? null,
      options.resolvedAt ?? null,
      options.timedOutAt ?? null,
    ),
  ]);
  return { conversationId, handoffId, ...owner };
}

/** Adds a message to a conversation at `at` (ms). */
export async function seedMessage(
  conversationId: string,
  role: 'user' | 'assistant' | 'operator' | 'system',
  content: string,
  at: number,
  author?: { id: string | null; name: string; role: string },
) {
  await env.DB.batch([
    env.DB.prepare(
      'INSERT INTO messages (id, conversation_id, role, content, author_id, author_name, author_role, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).bind(uuid(), conversationId, role, content, author?.id ?? null, author?.name ?? null, author?.role ?? null, at),
    env.DB.prepare('UPDATE conversations SET message_count = message_count + 1 WHERE id = ?').bind(conversationId),
  ]);
}
