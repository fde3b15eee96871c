import { z } from 'zod';
import { ROLES, type Role } from '../../db/schema';
import type { CallerRole } from '../../lib/caller-role';
import { ConfigError } from '../../lib/config-error';
import { int, parseSection } from '../../lib/config-schema';
import { defaultStreamLimits, type StreamLimits } from '../provider/stream-limits';
import { type ChatModel, DEFAULT_CHAT_MODELS, modelsForRole, parseChatModels } from './chat-models';

export const chatEnvSchema = z.object({
  DEEPSEEK_API_KEY: z.string().trim().optional(),
  DEEPSEEK_BASE_URL: z.url().default('https://api.deepseek.com'),
  FAKE_DEEPSEEK_URL: z.url().default('http://127.0.0.1:8788'),
  // Public model ids and what each runs upstream; format and defaults in chat-models.ts.
  CHAT_MODELS: z.string().default(DEFAULT_CHAT_MODELS),
  CHAT_MAX_TOKENS: int(16, 8192).default(1024),
  CHAT_MAX_MESSAGE_CHARS: int(100, 32_000).default(4000),
  CHAT_HISTORY_TOKEN_BUDGET: int(0, 64_000).default(3000),
  CHAT_MAX_MESSAGES_PER_CONVERSATION: int(2, 10_000).default(200),
  CHAT_FIRST_TOKEN_TIMEOUT_MS: int(1000, 300_000).default(20_000),
  CHAT_TOTAL_TIMEOUT_MS: int(1000, 600_000).default(120_000),
  CHAT_MAX_CONCURRENT_STREAMS: int(1, 20).default(2),
  // What an upstream stream may make us hold (characters); past one the answer ends as UPSTREAM_ERROR.
  CHAT_STREAM_MAX_LINE_CHARS: int(1024, 1_048_576).default(defaultStreamLimits.maxLineChars),
  CHAT_STREAM_MAX_EVENT_CHARS: int(1024, 4_194_304).default(defaultStreamLimits.maxEventChars),
  CHAT_MAX_ANSWER_CHARS: int(100, 1_000_000).default(defaultStreamLimits.maxAnswerChars),
  // How long an isolate answers from its FAQ snapshot before refreshing it in the background; 0 reads
  // D1 for every message (always fresh, slower). See src/modules/faqs/faq-snapshot.ts.
  FAQ_CACHE_SECONDS: int(0, 3600).default(60),
  // "role:tokens" pairs; a role not listed gets 0 (cannot chat even if its permissions allow it).
  TOKEN_BUDGET_DAILY: z.string().default('viewer:0,user:50000,moderator:200000,admin:1000000'),
  ASSISTANT_NAME: z.string().trim().min(1).max(60).default('Sam'),
  COMPANY_NAME: z.string().trim().min(1).max(100).default('FreshCart'),
  SUPPORT_CONTACT: z.string().trim().min(1).max(200).default('support@freshcart.example or +1 555 0100 (8am–8pm)'),
  ASSISTANT_TONE: z.string().trim().min(1).max(200).default('friendly, calm and concise'),
  ANSWER_LENGTH: z.string().trim().min(1).max(100).default('at most 120 words unless the customer asks for detail'),
  // "role:messages" pairs: chat turns per user per UTC day, knowledge-base answers included (storage is
  // not free even when tokens are). A role not listed gets 0.
  CHAT_DAILY_MESSAGES: z.string().default('viewer:0,user:200,moderator:1000,admin:5000'),
  CHAT_MAX_CONVERSATIONS: int(1, 100_000).default(500),
  // The whole deployment's model tokens per UTC day (0 = no ceiling), split over this many shards.
  TOKEN_BUDGET_DAILY_TOTAL: int(0, 1_000_000_000_000).default(0),
  TOKEN_BUDGET_DAILY_TOTAL_SHARDS: int(1, 256).default(8),
  // Keys the HMAC that turns our user ids into DeepSeek's `user_id` (see provider/provider-user-id.ts).
  PROVIDER_USER_ID_SECRET: z.string().trim().optional(),
});

export type ChatConfig = {
  upstream: { baseUrl: string; apiKey: string; canned: boolean };
  models: readonly ChatModel[];
  defaultModel: string;
  maxTokens: number;
  maxMessageChars: number;
  historyTokenBudget: number;
  maxMessagesPerConversation: number;
  firstTokenTimeoutMs: number;
  totalTimeoutMs: number;
  maxConcurrentStreams: number;
  streamLimits: StreamLimits;
  /** FAQ snapshot lifetime per isolate; 0 = reload for every message. */
  faqCacheSeconds: number;
  dailyTokenBudget: Readonly<Record<Role, number>>;
  dailyMessageQuota: Readonly<Record<Role, number>>;
  maxConversations: number;
  /** The deployment-wide daily ceiling; `dailyTokens: 0` means none. */
  ceiling: { dailyTokens: number; shards: number };
  persona: { assistantName: string; companyName: string; supportContact: string; tone: string; answerLength: string };
  /** Keys the hash of our user id that DeepSeek gets as `user_id`. */
  providerUserIdSecret: string;
};

function parseBudgets(raw: string, name = 'TOKEN_BUDGET_DAILY'): Record<Role, number> {
  const budgets: Record<Role, number> = { viewer: 0, user: 0, moderator: 0, admin: 0 };
  for (const entry of raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [role = '', amount = ''] = entry.split(':').map((part) => part.trim());
    if (!(ROLES as readonly string[]).includes(role) || !/^\d{1,10}$/.test(amount)) {
      throw new ConfigError(`Invalid configuration: ${name}: bad entry "${entry}" (want role:number)`);
    }
    budgets[role as Role] = Number(amount);
  }
  return budgets;
}

export function parseChatConfig(env: Record<string, unknown>, isProduction: boolean): ChatConfig {
  const vars = parseSection(chatEnvSchema, env);
  if (isProduction && vars.DEEPSEEK_BASE_URL.startsWith('http:')) {
    throw new ConfigError(
      'Invalid configuration: DEEPSEEK_BASE_URL: must be https in production (the API key travels with every request)',
    );
  }
  const apiKey = vars.DEEPSEEK_API_KEY || undefined;
  if (isProduction && !apiKey) {
    throw new ConfigError(
      'Invalid configuration: DEEPSEEK_API_KEY: missing (set it with `wrangler secret put DEEPSEEK_API_KEY`)',
    );
  }
  const models = parseChatModels(vars.CHAT_MODELS);
  return {
    // Without a key the service talks to the local fake DeepSeek and says its answers are canned.
    upstream: apiKey
      ? { baseUrl: vars.DEEPSEEK_BASE_URL.replace(/\/+$/, ''), apiKey, canned: false }
      : { baseUrl: vars.FAKE_DEEPSEEK_URL.replace(/\/+$/, ''), apiKey: 'fake-deepseek-key', canned: true },
    models,
    defaultModel: (models[0] as ChatModel).id,
    maxTokens: vars.CHAT_MAX_TOKENS,
    maxMessageChars: vars.CHAT_MAX_MESSAGE_CHARS,
    historyTokenBudget: vars.CHAT_HISTORY_TOKEN_BUDGET,
    maxMessagesPerConversation: vars.CHAT_MAX_MESSAGES_PER_CONVERSATION,
    firstTokenTimeoutMs: vars.CHAT_FIRST_TOKEN_TIMEOUT_MS,
    totalTimeoutMs: vars.CHAT_TOTAL_TIMEOUT_MS,
    maxConcurrentStreams: vars.CHAT_MAX_CONCURRENT_STREAMS,
    streamLimits: {
      ...defaultStreamLimits,
      maxLineChars: vars.CHAT_STREAM_MAX_LINE_CHARS,
      maxEventChars: vars.CHAT_STREAM_MAX_EVENT_CHARS,
      maxAnswerChars: vars.CHAT_MAX_ANSWER_CHARS,
    },
    faqCacheSeconds: vars.FAQ_CACHE_SECONDS,
    dailyTokenBudget: parseBudgets(vars.TOKEN_BUDGET_DAILY),
    dailyMessageQuota: parseBudgets(vars.CHAT_DAILY_MESSAGES, 'CHAT_DAILY_MESSAGES'),
    maxConversations: vars.CHAT_MAX_CONVERSATIONS,
    ceiling: { dailyTokens: vars.TOKEN_BUDGET_DAILY_TOTAL, shards: vars.TOKEN_BUDGET_DAILY_TOTAL_SHARDS },
    persona: {
      assistantName: vars.ASSISTANT_NAME,
      companyName: vars.COMPANY_NAME,
      supportContact: vars.SUPPORT_CONTACT,
      tone: vars.ASSISTANT_TONE,
      answerLength: vars.ANSWER_LENGTH,
    },
    providerUserIdSecret: providerUserIdSecret(vars.PROVIDER_USER_ID_SECRET, isProduction),
  };
}

/** Only the local fake or a developer's own key sees ids keyed with the development stand-in. */
const DEVELOPMENT_PROVIDER_USER_ID_SECRET = 'development-only-provider-user-id-secret';

function providerUserIdSecret(raw: string | undefined, isProduction: boolean): string {
  if (!raw) {
    if (!isProduction) return DEVELOPMENT_PROVIDER_USER_ID_SECRET;
    throw new ConfigError(
      'Invalid configuration: PROVIDER_USER_ID_SECRET: missing (set it with `wrangler secret put PROVIDER_USER_ID_SECRET`)',
    );
  }
  // A short key could be found by trying keys against one known user id and its hash.
  if (raw.length < 32)
    throw new ConfigError('Invalid configuration: PROVIDER_USER_ID_SECRET: use at least 32 characters');
  return raw;
}

/** Models a role may use: those whose minimum role it meets (and an API key's list). Guests get the default model only. */
export const modelsFor = (chat: ChatConfig, role: CallerRole, keyModels?: readonly string[] | null) =>
  role === 'guest'
    ? chat.models.slice(0, 1)
    : modelsForRole(chat.models, role).filter((model) => !keyModels || keyModels.includes(model.id));
