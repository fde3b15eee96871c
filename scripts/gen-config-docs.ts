// Writes docs/configuration.md from the zod env schemas, so the reference cannot drift from the code.
//   npm run docs:config         rewrite the file
//   npm run docs:config:check   fail (exit 1) when the file is not what the schemas say (CI runs this)
// Defaults and accepted values come from the schemas; descriptions from `.describe()` on a field, else the
// map below. A variable with neither, or a map entry no schema has, fails both commands.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { envSchema } from '../src/config';
import { rateLimitEnvSchema } from '../src/lib/rate-limit/rate-limit.config';
import { apiKeyEnvSchema } from '../src/modules/auth/api-key.config';
import { chatEnvSchema } from '../src/modules/chat/chat.config';
import { documentsEnvSchema } from '../src/modules/documents/documents.config';
import { guestEnvSchema } from '../src/modules/guest/guest.config';
import { handoffEnvSchema } from '../src/modules/handoff/handoff.config';
import { mailEnvSchema } from '../src/modules/mail/mail.config';

const sections: { title: string; source: string; schema: z.ZodObject }[] = [
  { title: 'Service, tokens and passwords', source: 'src/config.ts', schema: envSchema },
  { title: 'Rate limiting', source: 'src/lib/rate-limit/rate-limit.config.ts', schema: rateLimitEnvSchema },
  { title: 'Chat and the assistant', source: 'src/modules/chat/chat.config.ts', schema: chatEnvSchema },
  { title: 'API keys', source: 'src/modules/auth/api-key.config.ts', schema: apiKeyEnvSchema },
  { title: 'Guests, the widget and retention', source: 'src/modules/guest/guest.config.ts', schema: guestEnvSchema },
  { title: 'Mail', source: 'src/modules/mail/mail.config.ts', schema: mailEnvSchema },
  { title: 'Knowledge documents', source: 'src/modules/documents/documents.config.ts', schema: documentsEnvSchema },
  { title: 'Human handoff', source: 'src/modules/handoff/handoff.config.ts', schema: handoffEnvSchema },
];

const descriptions: Record<string, string> = {
  HANDOFF_WAIT_MINUTES:
    'How long a customer who asked for a person waits for an operator to claim the conversation; then they are told nobody is there, may leave an email, and the transcript is mailed to `SUPPORT_INBOX_EMAIL`.',
  SUPPORT_INBOX_EMAIL:
    'Where transcripts of unclaimed handoffs are mailed, through the email binding (development: the outbox). Unset: no transcript mail.',
  HANDOFF_WEBHOOK_URL:
    'Called with a JSON body for every handoff, with `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`; delivered through a queue and retried with backoff, never blocking the chat. Must be https: in production.',
  HANDOFF_WEBHOOK_SECRET:
    'The HMAC key that signs webhook deliveries (at least 32 characters); required with `HANDOFF_WEBHOOK_URL`. A secret: set it with `wrangler secret put`.',
  DOCUMENT_MAX_BYTES:
    'Largest document upload, in bytes, counted while it streams into R2 (413 DOCUMENT_TOO_LARGE past it). Uploads are the one exception to `MAX_BODY_BYTES`.',
  DOCUMENT_MAX_PAGES:
    'PDFs with more pages are marked `failed` before any page is read (caps the queue consumer’s work).',
  DOCUMENT_MAX_TEXT_CHARS:
    'Documents whose extracted text is longer are marked `failed` (caps the queue consumer’s work).',
  DOCUMENT_STORAGE_QUOTA_BYTES:
    'All stored documents together, in bytes; an upload that would pass it is refused with 413 STORAGE_QUOTA_EXCEEDED.',
  DOCUMENT_SEARCH_GRACE_MS:
    'How long a chat turn waits for the document search once admission, history and the FAQ match have answered; a search still running then is left behind and the answer is grounded on the FAQ alone (bounds what a large corpus can add to the first token).',
  RATE_LIMIT_DOCUMENT_UPLOAD: 'Document uploads and replacements, per uploader (whatever their IP).',
  API_KEY_CACHE_SECONDS:
    'How long an isolate reuses a verified API key instead of reading D1 (`0` reads D1 every time). Changes made through the API apply at once regardless (admission refuses an out-of-date copy); only changes made around it (SQL) wait for this.',
  API_KEY_USAGE_FLUSH_SECONDS:
    'How long API-key usage (requests, tokens, refusals, last use) gathers in the owner’s admission object before one batched D1 write.',
  API_KEY_MAX_PER_USER:
    'Live (unrevoked) API keys a user may hold; creating one more answers 409 API_KEY_LIMIT_REACHED.',
  API_KEY_DEFAULT_REQUESTS_PER_MINUTE: 'Requests per minute of a new API key created without `requestsPerMinute`.',
  TURNSTILE_SITE_KEY:
    'Cloudflare Turnstile site key the widget frame renders the challenge with. Default: the always-pass test key; production refuses test keys.',
  TURNSTILE_SECRET_KEY:
    "Secret. Turnstile secret key, sent to siteverify with each guest session. Unset outside production: Cloudflare's always-pass test secret. Required (and not a test key) in production.",
  TURNSTILE_VERIFY_URL:
    'siteverify endpoint. Development and tests point it at the local fake (`http://127.0.0.1:8789/turnstile/v0/siteverify`, served by `npm run dev`); https in production.',
  TURNSTILE_SCRIPT_URL:
    "Turnstile's client script, loaded by the widget frame (its origin is added to the frame's CSP). Empty: offline, the frame uses the dummy token without loading any script (refused in production).",
  TURNSTILE_EXPECTED_HOSTNAMES:
    'Comma-separated hostnames siteverify must report (where the challenge was solved: the frame, on this service). Empty: the hostname the service is reached on. Development: `example.com`, what the test keys report.',
  TURNSTILE_ACTION:
    'The widget action siteverify must report; empty: not checked (development, as the test keys report none).',
  GUEST_VISITOR_DAYS: 'How long a visitor token renews guest access tokens (absolute, from the first session).',
  GUEST_RETENTION_DAYS: 'Guest conversations untouched this long are deleted by the daily retention run.',
  AUDIT_RETENTION_DAYS: 'Audit events older than this are deleted by the daily retention run.',
  CHAT_STREAM_MAX_LINE_CHARS: 'Longest SSE line accepted from the upstream; past it the turn ends with UPSTREAM_ERROR.',
  CHAT_STREAM_MAX_EVENT_CHARS: 'Most data one upstream SSE event may carry; past it the turn ends with UPSTREAM_ERROR.',
  CHAT_MAX_ANSWER_CHARS:
    'Longest answer (content plus reasoning) kept from the model; past it the turn ends with UPSTREAM_ERROR. Raise it with CHAT_MAX_TOKENS.',
  CHAT_DAILY_MESSAGES:
    '"role:messages" pairs: chat turns per user per UTC day, knowledge-base answers included (429 MESSAGE_QUOTA_EXCEEDED).',
  CHAT_MAX_CONVERSATIONS:
    'Conversations a user may keep; a new one past it is refused with 429 CONVERSATION_LIMIT_REACHED.',
  TOKEN_BUDGET_DAILY_TOTAL:
    'Model tokens the whole deployment may spend per UTC day (0 = no ceiling); past it model answers stop (503 ASSISTANT_CAPACITY_REACHED) and FAQ answers go on.',
  TOKEN_BUDGET_DAILY_TOTAL_SHARDS:
    'Durable Objects the deployment ceiling is split over, so no single object sees every chat turn.',
  PROVIDER_USER_ID_SECRET:
    "Secret (≥ 32 characters) keying the HMAC that turns a user id into DeepSeek's `user_id`; required in production.",
  ENVIRONMENT:
    '`development`, `test` or `production` (`wrangler.toml` sets `development`; `[env.production]` sets `production`). Production refuses wildcard CORS and missing secrets.',
  CORS_ORIGINS:
    'Comma-separated origins allowed to call the API from a browser, with credentials (development: `http://localhost:8787,http://127.0.0.1:8787`). `*` is allowed outside production only, and never with credentials.',
  DOCS_ENABLED:
    'Serve `/openapi.json` and `/docs`. Unset: on outside production; set `true` to expose them in production.',
  MAX_BODY_BYTES: 'Request bodies above this are refused with 413.',
  LOG_LEVEL: 'Lowest level written to the log.',
  JWT_JWKS:
    'Secret. ES256 signing keys as a JWKS; the first key with a private part (`d`) signs, public-only keys stay valid while a rotation completes. Required everywhere; `npm run dev` generates one into `.dev.vars`.',
  JWT_ISSUER: '`iss` of access tokens.',
  JWT_AUDIENCE: '`aud` of access tokens.',
  ACCESS_TOKEN_TTL_SECONDS: 'Access-token lifetime (at most 15 minutes).',
  REFRESH_TOKEN_TTL_DAYS: 'Absolute lifetime of a refresh-token family.',
  PASSWORD_MIN_LENGTH: 'Shortest password accepted, in characters (floor 8).',
  PASSWORD_MAX_LENGTH: 'Longest password accepted, in characters; not below `PASSWORD_MIN_LENGTH`.',
  PASSWORD_REQUIRE_CHARACTER_CLASSES:
    'Also require upper, lower, digit and symbol (NIST advises against it; off by default).',
  ARGON2_MEMORY_KIB:
    'Argon2id memory cost. The default is OWASP’s minimum; costs may only go up. Stored hashes are upgraded on the next good login.',
  ARGON2_ITERATIONS: 'Argon2id time cost (iterations).',
  ARGON2_PARALLELISM: 'Argon2id parallelism.',
  LOCKOUT_THRESHOLD:
    'Failed sign-ins (passwords or second-factor codes) that lock an account *for the client that made them* (an IPv4 address, an IPv6 /64); the owner elsewhere is unaffected.',
  LOCKOUT_MINUTES: 'How long a lockout lasts (per client, and the account-wide one).',
  LOCKOUT_ACCOUNT_THRESHOLD:
    'Failed sign-ins on one account from all clients together past which a correct password also needs a one-time link mailed to the owner. Must be above `LOCKOUT_THRESHOLD`.',
  MFA_REQUIRED_ROLES:
    'Comma-separated roles that must use two-factor sign-in; such an account without it gets `{mfaEnrollmentRequired, mfaToken}` at login. Unset: `admin,moderator` in production, none elsewhere.',
  MFA_ENCRYPTION_KEYS:
    'Secret. `id:base64` 32-byte AES-GCM keys, comma-separated, sealing TOTP secrets; the first seals, all open (rotation in docs/security.md). Required in production; `npm run dev` generates one.',
  ACCOUNT_RECHECK_SECONDS:
    'How old the admission object’s copy of an account may get before D1 is read again (only changes made around the API wait for it; `0` reads D1 on every request).',
  RATE_LIMIT_BACKEND:
    '`auto` (Upstash when configured, else the Durable Object), `upstash`, `durable-object`; `none` only outside production (benchmark baseline).',
  RATE_LIMIT_IP:
    'Every request, per client IP (IPv6: per /64). Policies are `<requests>/<window>`, units `ms`, `s`, `m`, `h`; sliding windows.',
  RATE_LIMIT_LOGIN_IP: '`POST /api/v1/auth/login`, per IP.',
  RATE_LIMIT_LOGIN_EMAIL:
    '`POST /api/v1/auth/login`, per email *and* client IP (email trimmed, lowercased; keys stored only as a SHA-256): an attacker spends their own allowance, not the owner’s.',
  RATE_LIMIT_LOGIN_EMAIL_ALL: '`POST /api/v1/auth/login`, per email from all clients together (a much higher ceiling).',
  RATE_LIMIT_ACCOUNT_IP:
    'Per IP: email verify and resend, password forgot and reset, the sign-in link and `POST /api/v1/auth/mfa/verify`.',
  RATE_LIMIT_MAIL_ADDRESS:
    'Mail to one address (register, resend, forgot, sign-in link together). Past it mail is dropped silently: the answer is the same 202.',
  RATE_LIMIT_REGISTER_IP: 'Register, per IP.',
  RATE_LIMIT_REFRESH_IP: 'Refresh, per IP.',
  RATE_LIMIT_USER: 'Authenticated API calls per user (`limitByUser()` after auth).',
  RATE_LIMIT_UPSTASH_TIMEOUT_MS: 'How long to wait for Upstash before deciding with the Durable Object instead.',
  TRUST_X_FORWARDED_FOR:
    'Use the first `X-Forwarded-For` entry as the client IP. Only behind your own proxy that overwrites it; otherwise clients choose their IP.',
  UPSTASH_REDIS_REST_URL:
    'Secret. Upstash Redis for rate limits; set both URL and token or neither; https in production.',
  UPSTASH_REDIS_REST_TOKEN: 'Secret. The Upstash REST token that goes with `UPSTASH_REDIS_REST_URL`.',
  DEEPSEEK_API_KEY:
    'Secret. DeepSeek key. Unset: the service uses the local fake at `FAKE_DEEPSEEK_URL` and says answers are canned. Required in production.',
  DEEPSEEK_BASE_URL: 'OpenAI-compatible upstream.',
  FAKE_DEEPSEEK_URL: 'The fake DeepSeek used when there is no key.',
  CHAT_MODELS:
    'Allowed models as `id[:minimum role]`, comma-separated; the first is the default. Model ids are configuration: DeepSeek renames them.',
  CHAT_MAX_TOKENS: 'Answer cap sent upstream as `max_tokens`.',
  CHAT_MAX_MESSAGE_CHARS: 'The longest message accepted.',
  CHAT_HISTORY_TOKEN_BUDGET: 'History sent to the model is trimmed to this many (estimated) tokens.',
  CHAT_MAX_MESSAGES_PER_CONVERSATION: 'A conversation holds at most this many messages.',
  CHAT_FIRST_TOKEN_TIMEOUT_MS: 'Give up when no token has come (keep-alive comments do not count).',
  CHAT_TOTAL_TIMEOUT_MS: 'Give up on any answer that takes longer.',
  CHAT_MAX_CONCURRENT_STREAMS:
    'Answers in progress at once per user (admission, one Durable Object per user, counts them exactly).',
  FAQ_CACHE_SECONDS:
    'How long an isolate matches chat messages against its in-memory FAQ snapshot before refreshing it (`0` = read D1 every message).',
  TOKEN_BUDGET_DAILY:
    'Tokens per user per UTC day, as `role:tokens` pairs; a role not listed gets 0. Over it: `429 TOKEN_BUDGET_EXCEEDED`.',
  ASSISTANT_NAME:
    'Persona in the server-side system prompt (clients never send a system prompt): the assistant’s name.',
  COMPANY_NAME: 'Persona: the company the assistant speaks for.',
  SUPPORT_CONTACT: 'Persona: where the assistant sends people who need a human.',
  ASSISTANT_TONE: 'Persona: the tone of answers.',
  ANSWER_LENGTH: 'Persona: how long answers should be.',
  MAIL_BACKEND:
    '`auto` (the `send_email` binding in production, the development outbox elsewhere), `cloudflare`, `outbox` (refused in production).',
  MAIL_FROM: 'Sender address, on your Cloudflare Email Service domain. Required in production.',
  PUBLIC_APP_URL:
    'Where the web client lives: every link in a mail starts here (never the request’s Host header). Required (https) in production; `npm run dev` sets it to the port it serves.',
  PRODUCT_NAME: 'The product’s name in mail subjects and text.',
};

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (value: unknown) => `\`${String(value)}\``;

function windowText(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** What the schema yields for an unset variable: its default, "unset" (optional) or "required". */
function defaultText(field: z.ZodType): string {
  const parsed = field.safeParse(undefined);
  if (!parsed.success) return 'required';
  const value: unknown = parsed.data;
  if (value === undefined) return 'unset';
  if (typeof value === 'object' && value !== null && 'limit' in value && 'windowMs' in value) {
    return code(`${value.limit}/${windowText(Number(value.windowMs))}`);
  }
  return code(typeof value === 'object' ? JSON.stringify(value) : value);
}

/** Accepted input, from the schema's JSON Schema (input side, before transforms). */
function acceptsText(json: Record<string, unknown>): string {
  if (Array.isArray(json.enum)) return json.enum.map(code).join(', ');
  if (json.type === 'integer' || json.type === 'number') return `${json.minimum ?? ''}–${json.maximum ?? ''}`;
  if (json.format === 'uri') return 'URL';
  return 'text';
}

function render(): string {
  const seen = new Set<string>();
  const missing: string[] = [];
  const out = [
    '# Configuration',
    '',
    '<!-- Generated by `npm run docs:config` from the zod schemas named below; do not edit by hand. -->',
    '',
    'Non-secret settings are `[vars]` in `wrangler.toml` (per environment); secrets go in `.dev.vars` locally (copy',
    '`.dev.vars.example`) and `wrangler secret put NAME --env production` in production. The schemas below validate',
    'them all, once per isolate; a missing or malformed one fails requests with a generic 500 and a log line naming it.',
    '"Default" is what the schema uses when the variable is unset; `wrangler.toml` may set a different value.',
  ];
  for (const { title, source, schema } of sections) {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
      properties: Record<string, Record<string, unknown>>;
    };
    out.push('', `## ${title}`, '', `Schema: \`${source}\`.`, '');
    out.push('| variable | default | accepts | description |', '| --- | --- | --- | --- |');
    for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      seen.add(name);
      const description = field.description ?? descriptions[name];
      if (!description) missing.push(name);
      const accepts = acceptsText(json.properties[name] ?? {});
      out.push(`| \`${name}\` | ${defaultText(field)} | ${cell(accepts)} | ${cell(description ?? '')} |`);
    }
  }
  const stale = Object.keys(descriptions).filter((name) => !seen.has(name));
  if (missing.length > 0 || stale.length > 0) {
    throw new Error(
      [
        missing.length > 0 ? `no description for ${missing.join(', ')} (add .describe() or an entry in the map)` : '',
        stale.length > 0 ? `described but in no schema: ${stale.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    );
  }
  return `${out.join('\n')}\n`;
}

/** Biome formats Markdown too (it pads the tables): write what `npm run lint` expects. */
function biomeFormat(markdown: string): string {
  const biome = fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url));
  const run = spawnSync(biome, ['format', '--stdin-file-path=docs/configuration.md'], { input: markdown });
  if (run.status !== 0) throw new Error(`biome format failed: ${run.stderr.toString()}`);
  return run.stdout.toString();
}

const target = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
const expected = biomeFormat(render());
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {}
  if (current !== expected) {
    console.error('docs/configuration.md is out of date with the config schemas: run `npm run docs:config`.');
    process.exit(1);
  }
  console.log('docs/configuration.md is current.');
} else {
  writeFileSync(target, expected);
  console.log('wrote docs/configuration.md');
}
