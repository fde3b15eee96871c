import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const ROLES = ['admin', 'moderator', 'user', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const timestamps = {
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull().default(sql`(unixepoch('subsec') * 1000)`),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`)
    .$onUpdate(() => new Date()),
};

export const users = sqliteTable(
  'users',
  {
    // Random ids: sequential ones would let callers count and walk accounts.
    id: text('id')
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    email: text('email').notNull().unique(),
    username: text('username').notNull().unique(),
    fullName: text('full_name'),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ROLES }).notNull().default('user'),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    failedLoginCount: integer('failed_login_count').notNull().default(0),
    lockedUntil: integer('locked_until', { mode: 'timestamp_ms' }),
    // Bumped on password change, role change, deactivation and logout-all: access tokens carry the
    // version they were minted with, so older ones are refused at once instead of living out their 15 minutes.
    tokenVersion: integer('token_version').notNull().default(0),
    lastLoginAt: integer('last_login_at', { mode: 'timestamp_ms' }),
    // Null until the owner follows a verification link (or resets the password): no chat before.
    emailVerifiedAt: integer('email_verified_at', { mode: 'timestamp_ms' }),
    // TOTP secret, AES-GCM encrypted (see src/modules/mfa/secret-box.ts); `pending` between setup and enable.
    mfaSecret: text('mfa_secret'),
    mfaPendingSecret: text('mfa_pending_secret'),
    mfaEnabledAt: integer('mfa_enabled_at', { mode: 'timestamp_ms' }),
    // The last TOTP time step accepted: a code is good once, replays and concurrent double use fail.
    mfaLastStep: integer('mfa_last_step'),
    ...timestamps,
  },
  (t) => [
    index('users_role_idx').on(t.role),
    index('users_unverified_idx').on(t.emailVerifiedAt, t.createdAt),
    // "Alice" and "alice" are one name to a human reader; impersonation starts with such pairs.
    uniqueIndex('users_username_lower_idx').on(sql`lower(${t.username})`),
  ],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;

/**
 * Opaque refresh tokens, stored only as SHA-256. A family is one login's chain of rotations:
 * it shares one absolute expiry, and a replayed (already rotated) token revokes all of it.
 */
export const refreshTokens = sqliteTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: text('family_id').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
    replacedBy: text('replaced_by'),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    createdAt: timestamps.createdAt,
  },
  (t) => [index('refresh_tokens_family_idx').on(t.familyId), index('refresh_tokens_user_idx').on(t.userId)],
);

/**
 * One signed-in session: a refresh-token family (`id` = `refresh_tokens.family_id`, and the access
 * token's `sid`) with what its owner needs to recognise it. Never the full IP address or user agent:
 * a network prefix and a truncated agent string are enough to tell "my laptop" from "not me".
 * `ended_at` is set in the same batch as the family's `refresh_tokens.revoked_at` (which admission reads).
 */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    userAgent: text('user_agent'),
    ipPrefix: text('ip_prefix'),
    createdAt: timestamps.createdAt,
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }).notNull().default(sql`(unixepoch('subsec') * 1000)`),
    // The family's absolute expiry: rotation never extends it.
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    endedAt: integer('ended_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('sessions_user_created_idx').on(t.userId, t.createdAt)],
);

export type SessionRow = typeof sessions.$inferSelect;

export const ACCOUNT_TOKEN_PURPOSES = ['verify_email', 'reset_password', 'signin_link'] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

/**
 * One-time links mailed to an account's owner, stored only as SHA-256. Single use (`used_at`), short
 * lived, and a newer one of the same purpose invalidates the older ones.
 */
export const accountTokens = sqliteTable(
  'account_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: ACCOUNT_TOKEN_PURPOSES }).notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
    createdAt: timestamps.createdAt,
  },
  (t) => [index('account_tokens_user_purpose_idx').on(t.userId, t.purpose)],
);

/**
 * A username asked for with an address that already had an account: held for the verification window
 * as a new account would hold it, so what a later sign-up sees never depends on whether the email existed.
 */
export const usernameHolds = sqliteTable('username_holds', {
  usernameLower: text('username_lower').primaryKey(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
});

/** Failed sign-ins per account *and* client (IP, IPv6 /64): the lockout an attacker elsewhere cannot aim. */
export const loginFailures = sqliteTable(
  'login_failures',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    client: text('client').notNull(),
    count: integer('count').notNull().default(0),
    lockedUntil: integer('locked_until', { mode: 'timestamp_ms' }),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.client] })],
);

export const SIGNIN_CHALLENGE_KINDS = ['mfa', 'enroll'] as const;
export type SigninChallengeKind = (typeof SIGNIN_CHALLENGE_KINDS)[number];

/**
 * The `mfaToken` between a good password and a finished sign-in: opaque, stored as SHA-256, short
 * lived, single use, with a cap on wrong codes. `enroll` lets an account that must have 2FA set it up.
 */
export const signinChallenges = sqliteTable(
  'signin_challenges',
  {
    id: text('id').primaryKey(),
    tokenHash: text('token_hash').notNull().unique(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: SIGNIN_CHALLENGE_KINDS }).notNull(),
    /** The client that passed the password: wrong codes count towards that pair's lockout. */
    client: text('client').notNull(),
    attempts: integer('attempts').notNull().default(0),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
    createdAt: timestamps.createdAt,
  },
  (t) => [index('signin_challenges_user_idx').on(t.userId)],
);

/** Backup codes, SHA-256 of 80-bit random codes; single use; regenerating replaces the set. */
export const mfaBackupCodes = sqliteTable(
  'mfa_backup_codes',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
    createdAt: timestamps.createdAt,
  },
  (t) => [uniqueIndex('mfa_backup_codes_user_code_idx').on(t.userId, t.codeHash)],
);

/** Mail the development outbox holds instead of sending (never used in production). */
export const devOutbox = sqliteTable(
  'dev_outbox',
  {
    id: text('id').primaryKey(),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html'),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('dev_outbox_sent_idx').on(t.sentAt)],
);

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;

/** Security-relevant events, kept apart from request logs so they can be retained and queried longer. */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: text('id')
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    targetId: text('target_id'),
    outcome: text('outcome', { enum: AUDIT_OUTCOMES }).notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    detail: text('detail', { mode: 'json' }).$type<Record<string, string | number | boolean | null>>(),
    createdAt: timestamps.createdAt,
  },
  (t) => [index('audit_events_created_idx').on(t.createdAt), index('audit_events_actor_idx').on(t.actorId)],
);

export type RefreshToken = typeof refreshTokens.$inferSelect;
export type AuditEvent = typeof auditEvents.$inferInsert;

/** `operator`: a person (moderator or admin) answering in a handoff; `system`: a notice to the customer (nobody came). */
export const MESSAGE_ROLES = ['user', 'assistant', 'operator', 'system'] as const;

/**
 * Who answers a conversation: the assistant (`bot`), nobody yet (`waiting` for an operator), a person
 * (`with_operator`), or nobody any more (`resolved`, until the customer writes again). See src/modules/handoff/.
 */
export const CONVERSATION_STATES = ['bot', 'waiting', 'with_operator', 'resolved'] as const;
export type ConversationState = (typeof CONVERSATION_STATES)[number];

/** Notices the service posts to a customer: `nobody_available` (nobody claimed in time; an email may be left). */
export const SYSTEM_NOTICES = ['nobody_available'] as const;
export type SystemNotice = (typeof SYSTEM_NOTICES)[number];

/** What asked for a person: the customer's button, the model's handoff_to_human tool, or an operator taking over. */
export const HANDOFF_TRIGGERS = ['customer', 'assistant', 'operator'] as const;
export const ANSWER_SOURCES = ['faq', 'model'] as const;

/**
 * A website that embeds the chat widget. `id` is the public site id (it appears in the embed snippet);
 * `identity_secret` keys the HMAC a site's own server signs its customers' identities with, so it is
 * shown once at creation and never returned again.
 */
export const sites = sqliteTable('sites', {
  id: text('id')
    .primaryKey()
    .$defaultFn(() => crypto.randomUUID()),
  name: text('name').notNull(),
  allowedOrigins: text('allowed_origins', { mode: 'json' }).$type<string[]>().notNull(),
  greeting: text('greeting'),
  accentColor: text('accent_color'),
  guestChat: integer('guest_chat', { mode: 'boolean' }).notNull().default(true),
  guestMessagesPerMinute: integer('guest_messages_per_minute').notNull(),
  guestMessagesPerDay: integer('guest_messages_per_day').notNull(),
  guestIpMessagesPerDay: integer('guest_ip_messages_per_day').notNull(),
  guestTokensPerDay: integer('guest_tokens_per_day').notNull(),
  identitySecret: text('identity_secret').notNull(),
  createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
  ...timestamps,
});

export type Site = typeof sites.$inferSelect;

/**
 * A website visitor who passed Turnstile: no account, a long-lived visitor token (stored only as a
 * SHA-256) that renews short guest access tokens until `expires_at`. Deleted with their site; their
 * conversations go with them.
 */
export const visitors = sqliteTable(
  'visitors',
  {
    id: text('id').primaryKey(),
    siteId: text('site_id')
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    createdAt: timestamps.createdAt,
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull().default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [index('visitors_site_idx').on(t.siteId), index('visitors_expires_idx').on(t.expiresAt)],
);

/**
 * One support chat, owned by one user (deleted with them) or, for a guest, by one visitor of one
 * site (deleted with the visitor, and by retention after GUEST_RETENTION_DAYS). Exactly one of
 * `user_id` and `visitor_id` is set. `customer_id`/`customer_email` are a guest's identity as their
 * site's server signed it (identity verification); never set from anything unsigned.
 */
export const conversations = sqliteTable(
  'conversations',
  {
    id: text('id')
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    visitorId: text('visitor_id').references(() => visitors.id, { onDelete: 'cascade' }),
    siteId: text('site_id').references(() => sites.id, { onDelete: 'cascade' }),
    customerId: text('customer_id'),
    customerEmail: text('customer_email'),
    title: text('title').notNull(),
    messageCount: integer('message_count').notNull().default(0),
    state: text('state', { enum: CONVERSATION_STATES }).notNull().default('bot'),
    /** The operator holding the conversation while `with_operator`. */
    assignedTo: text('assigned_to').references(() => users.id, { onDelete: 'set null' }),
    /** The current (or last) handoff: its reason, summary, contact email and timings. */
    handoffId: text('handoff_id'),
    ...timestamps,
  },
  (t) => [
    index('conversations_state_updated_idx').on(t.state, t.updatedAt),
    index('conversations_user_updated_idx').on(t.userId, t.updatedAt),
    index('conversations_visitor_updated_idx').on(t.visitorId, t.updatedAt),
    index('conversations_site_updated_idx').on(t.siteId, t.updatedAt),
    check('conversations_one_owner', sql`("user_id" IS NULL) <> ("visitor_id" IS NULL)`),
  ],
);

export const messages = sqliteTable(
  'messages',
  {
    id: text('id')
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    role: text('role', { enum: MESSAGE_ROLES }).notNull(),
    content: text('content').notNull(),
    /** Assistant messages only: answered from the knowledge base or by the model. */
    source: text('source', { enum: ANSWER_SOURCES }),
    model: text('model'),
    faqId: text('faq_id'),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    cacheHitTokens: integer('cache_hit_tokens').notNull().default(0),
    /** True when the stream was cut before the upstream reported usage, so the counts are our estimate. */
    usageEstimated: integer('usage_estimated', { mode: 'boolean' }).notNull().default(false),
    /** True when the answer stopped early (client left, timeout, upstream cut). */
    incomplete: integer('incomplete', { mode: 'boolean' }).notNull().default(false),
    finishReason: text('finish_reason'),
    /** Operator messages: who wrote it (kept as it was then: the name and role label the customer saw). */
    authorId: text('author_id').references(() => users.id, { onDelete: 'set null' }),
    authorName: text('author_name'),
    authorRole: text('author_role', { enum: ROLES }),
    /** System messages: what the notice is, for clients to act on (the text is for people and may change). */
    notice: text('notice', { enum: SYSTEM_NOTICES }),
    createdAt: timestamps.createdAt,
  },
  (t) => [index('messages_conversation_created_idx').on(t.conversationId, t.createdAt)],
);

/**
 * One request for a person, from asking to the end: who or what asked and why, the contact email the
 * customer left, the model-written summary, and the times admin stats are computed from. A conversation
 * can be handed off again after it went back to the bot; each time is a row.
 */
export const handoffs = sqliteTable(
  'handoffs',
  {
    id: text('id')
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    conversationId: text('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    siteId: text('site_id').references(() => sites.id, { onDelete: 'set null' }),
    trigger: text('trigger', { enum: HANDOFF_TRIGGERS }).notNull(),
    reason: text('reason'),
    contactEmail: text('contact_email'),
    summary: text('summary'),
    requestedAt: integer('requested_at', { mode: 'timestamp_ms' }).notNull(),
    claimedAt: integer('claimed_at', { mode: 'timestamp_ms' }),
    claimedBy: text('claimed_by').references(() => users.id, { onDelete: 'set null' }),
    /** Nobody claimed within HANDOFF_WAIT_MINUTES: the customer was told and the transcript mailed. */
    timedOutAt: integer('timed_out_at', { mode: 'timestamp_ms' }),
    resolvedAt: integer('resolved_at', { mode: 'timestamp_ms' }),
    releasedAt: integer('released_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('handoffs_conversation_idx').on(t.conversationId, t.requestedAt),
    index('handoffs_requested_idx').on(t.requestedAt),
  ],
);

export type Handoff = typeof handoffs.$inferSelect;

/** Per user per UTC day: what stats add up (the budget itself is counted by admission, see src/modules/admission/). */
export const usageDaily = sqliteTable(
  'usage_daily',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    day: text('day').notNull(),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    cacheHitTokens: integer('cache_hit_tokens').notNull().default(0),
    chats: integer('chats').notNull().default(0),
    faqAnswers: integer('faq_answers').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] }), index('usage_daily_day_idx').on(t.day)],
);

export type Conversation = typeof conversations.$inferSelect;
export type Message = typeof messages.$inferSelect;

/**
 * The FAQ knowledge base. The chat answers known questions from here without calling the model.
 * Full-text search lives in the `faqs_fts` FTS5 table (custom migration `faqs_fts`), which indexes
 * this table's implicit `rowid`: keep this a rowid table (never WITHOUT ROWID).
 */
export const faqs = sqliteTable(
  'faqs',
  {
    id: text('id')
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    question: text('question').notNull(),
    answer: text('answer').notNull(),
    // A JSON array of lowercase slugs; filtered with json_each, indexed as text by FTS.
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    // Drafts stay invisible to customers and to the chat until a moderator publishes them.
    published: integer('published', { mode: 'boolean' }).notNull().default(false),
    // Kept when the author's account goes: the entry belongs to the company, not to them.
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    // How many chat messages were answered from this entry (the admin stats' FAQ hit rate).
    hitCount: integer('hit_count').notNull().default(0),
    ...timestamps,
  },
  (t) => [index('faqs_published_created_idx').on(t.published, t.createdAt)],
);

export type Faq = typeof faqs.$inferSelect;
export type NewFaq = typeof faqs.$inferInsert;

export const API_KEY_SCOPES = ['chat:use', 'content:read', 'content:write'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/**
 * Machine credentials. Only the SHA-256 of a secret is stored, with its first and last characters so
 * its owner can recognise it. Rotation moves the current hash to `previous_secret_hash`, valid until
 * `previous_expires_at`; there is at most one previous secret. `version` is bumped by every change
 * (edit, rotation, revocation): admission refuses a cached copy of an older version, so a change
 * applies at once everywhere. Limits left null fall back to the owner's own.
 */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id')
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    last4: text('last4').notNull(),
    secretHash: text('secret_hash').notNull().unique(),
    previousSecretHash: text('previous_secret_hash').unique(),
    previousExpiresAt: integer('previous_expires_at', { mode: 'timestamp_ms' }),
    scopes: text('scopes', { mode: 'json' }).$type<ApiKeyScope[]>().notNull(),
    /** Public model ids this key may use; null = every model its owner may use. */
    models: text('models', { mode: 'json' }).$type<string[] | null>(),
    requestsPerMinute: integer('requests_per_minute').notNull(),
    tokensPerMinute: integer('tokens_per_minute'),
    maxConcurrentStreams: integer('max_concurrent_streams'),
    dailyTokenBudget: integer('daily_token_budget'),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    version: integer('version').notNull().default(1),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
    ...timestamps,
  },
  (t) => [index('api_keys_user_created_idx').on(t.userId, t.createdAt)],
);

export type ApiKeyRow = typeof apiKeys.$inferSelect;

/** Per key per UTC day, flushed in batches by the owner's admission object (never one write per request). */
export const apiKeyUsageDaily = sqliteTable(
  'api_key_usage_daily',
  {
    keyId: text('key_id')
      .notNull()
      .references(() => apiKeys.id, { onDelete: 'cascade' }),
    day: text('day').notNull(),
    requests: integer('requests').notNull().default(0),
    promptTokens: integer('prompt_tokens').notNull().default(0),
    completionTokens: integer('completion_tokens').notNull().default(0),
    cachedTokens: integer('cached_tokens').notNull().default(0),
    refusals: integer('refusals').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.day] })],
);

export const DOCUMENT_KINDS = ['pdf', 'text', 'markdown', 'csv'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
export const DOCUMENT_STATUSES = ['pending', 'ready', 'failed'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/**
 * Knowledge documents. The file lives in R2 under `objectKey` (a random UUID: the client's name never
 * becomes a key); `name` is the sanitized original name, metadata only. `version` grows with every
 * replacement, so a processing message for an older upload cannot overwrite a newer one's chunks.
 */
export const documents = sqliteTable(
  'documents',
  {
    id: text('id')
      .primaryKey()
      .$defaultFn(() => crypto.randomUUID()),
    name: text('name').notNull(),
    objectKey: text('object_key').notNull().unique(),
    kind: text('kind', { enum: DOCUMENT_KINDS }).notNull(),
    contentType: text('content_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    status: text('status', { enum: DOCUMENT_STATUSES }).notNull().default('pending'),
    failureReason: text('failure_reason'),
    // Unpublished documents are never used by the chat and readable by editors only.
    published: integer('published', { mode: 'boolean' }).notNull().default(false),
    version: integer('version').notNull().default(1),
    chunkCount: integer('chunk_count').notNull().default(0),
    pageCount: integer('page_count'),
    // Chat answers that cited this document.
    citedCount: integer('cited_count').notNull().default(0),
    uploadedBy: text('uploaded_by').references(() => users.id, { onDelete: 'set null' }),
    processedAt: integer('processed_at', { mode: 'timestamp_ms' }),
    ...timestamps,
  },
  (t) => [index('documents_created_idx').on(t.createdAt)],
);

export type DocumentRow = typeof documents.$inferSelect;

/**
 * A document's text, split into sections small enough to ground an answer. `id` is an integer primary
 * key (the rowid) because the `document_chunks_fts` FTS5 index (custom migration) links rows by it.
 * Chunks go with their document (ON DELETE CASCADE), and the FTS triggers take their index rows along.
 */
export const documentChunks = sqliteTable(
  'document_chunks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    documentId: text('document_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    // The heading path the text sits under ("Returns › Damaged items", "Page 3", "Rows 2–40").
    section: text('section'),
    content: text('content').notNull(),
  },
  (t) => [index('document_chunks_document_idx').on(t.documentId, t.position)],
);
