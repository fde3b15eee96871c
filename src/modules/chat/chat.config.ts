import { z } from 'zod';
import { ROLES, type Role } from '../../db/schema';
import { ConfigError } from '../../lib/config-error';
import { defaultStreamLimits, type StreamLimits } from './provider/stream-limits';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const ROLE_RANK: Record<Role, number> = { viewer: 0, user: 1, moderator: 2, admin: 3 };

const chatEnvSchema = z.object({
  DEEPSEEK_API_KEY: z.string().trim().optional(),
  DEEPSEEK_BASE_URL: z.url().default('https://api.deepseek.com'),
  FAKE_DEEPSEEK_URL: z.url().default('http://127.0.0.1:8788'),
  // "id[:minimum role]" entries, comma-separated; the first is the default. Model ids are configuration:
  // DeepSeek renamed its models in 2026 and may again.
  CHAT_MODELS: z.string().default('deepseek-flash,deepseek-reasoner:moderator'),
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
});

export type ChatModel = { id: string; minRole: Role };

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
  persona: { assistantName: string; companyName: string; supportContact: string; tone: string; answerLength: string };
};

function parseModels(raw: string): ChatModel[] {
  const models = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [id = '', minRole = 'user'] = entry.split(':').map((part) => part.trim());
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(id) || !(ROLES as readonly string[]).includes(minRole)) {
        throw new ConfigError(`Invalid configuration: CHAT_MODELS: bad entry "${entry}" (want id[:role])`);
      }
      return { id, minRole: minRole as Role };
    });
  if (models.length === 0) throw new ConfigError('Invalid configuration: CHAT_MODELS: list at least one model');
  return models;
}

function parseBudgets(raw: string): Record<Role, number> {
  const budgets: Record<Role, number> = { viewer: 0, user: 0, moderator: 0, admin: 0 };
  for (const entry of raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [role = '', amount = ''] = entry.split(':').map((part) => part.trim());
    if (!(ROLES as readonly string[]).includes(role) || !/^\d{1,10}$/.test(amount)) {
      throw new ConfigError(`Invalid configuration: TOKEN_BUDGET_DAILY: bad entry "${entry}" (want role:tokens)`);
    }
    budgets[role as Role] = Number(amount);
  }
  return budgets;
}

export function parseChatConfig(env: Record<string, unknown>, isProduction: boolean): ChatConfig {
  const parsed = chatEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const vars = parsed.data;
  const apiKey = vars.DEEPSEEK_API_KEY || undefined;
  if (isProduction && !apiKey) {
    throw new ConfigError(
      'Invalid configuration: DEEPSEEK_API_KEY: missing (set it with `wrangler secret put DEEPSEEK_API_KEY`)',
    );
  }
  const models = parseModels(vars.CHAT_MODELS);
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
      maxLineChars: vars.CHAT_STREAM_MAX_LINE_CHARS,
      maxEventChars: vars.CHAT_STREAM_MAX_EVENT_CHARS,
      maxAnswerChars: vars.CHAT_MAX_ANSWER_CHARS,
    },
    faqCacheSeconds: vars.FAQ_CACHE_SECONDS,
    dailyTokenBudget: parseBudgets(vars.TOKEN_BUDGET_DAILY),
    persona: {
      assistantName: vars.ASSISTANT_NAME,
      companyName: vars.COMPANY_NAME,
      supportContact: vars.SUPPORT_CONTACT,
      tone: vars.ASSISTANT_TONE,
      answerLength: vars.ANSWER_LENGTH,
    },
  };
}

/** Models a role may use: those whose minimum role it meets. */
export const modelsFor = (chat: ChatConfig, role: Role) =>
  chat.models.filter((m) => ROLE_RANK[role] >= ROLE_RANK[m.minRole]);
