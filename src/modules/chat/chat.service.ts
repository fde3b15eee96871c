import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { errorDetail } from '../../lib/error-detail';
import { AppError } from '../../lib/errors';
import { log } from '../../lib/logger';
import type { Admission } from '../../lib/types';
import { tokenNoLongerValid } from '../auth/token-refused';
import { findOwnConversation, recentMessages } from '../conversations/conversations.service';
import { type UserGates, userGateFor } from '../users/user-gate';
import { type ChatModel, modelsFor } from './chat.config';
import type { ChatCaller, ChatEvent, ChatTurn, ChatUsage, FaqHit, FaqLookup } from './chat.types';
import { buildPrompt, estimateTokens, type Turn, trimHistory } from './prompt';
import { type FetchLike, streamChatCompletion } from './provider/deepseek.client';
import type { ProviderUsage } from './provider/deepseek.types';
import { ProviderError } from './provider/provider.errors';
import { recordTurn } from './record-turn';
import { utcDay } from './usage.service';

export type ChatInput = {
  message: string;
  conversationId?: string | undefined;
  model?: string | undefined;
  /** OpenAI-compatible callers bring their own earlier turns and keep no conversation with us. */
  history?: Turn[];
  /** A caller's own answer-length cap; never above the configured one. */
  maxTokens?: number;
};

export type ChatDeps = {
  db: Db;
  config: Config;
  caller: ChatCaller;
  faq: FaqLookup;
  gates: UserGates;
  /** Fires when the client goes away; aborts the upstream call. */
  signal: AbortSignal;
  waitUntil: (promise: Promise<unknown>) => void;
  requestId: string;
  /** The caller's limits, still running, and where to report the account check (`requireAuth({ defer: true })`). */
  admission?: Admission | undefined;
  fetch?: FetchLike;
};

/** History rows read for a conversation before token trimming; more than any sane budget holds. */
const HISTORY_ROWS = 40;

/** How long a conversation's next turn waits for the previous one to be stored before a 409. */
const PREVIOUS_TURN_WAIT_MS = 5_000;

/** Leases outlive the longest stream a little, so a crashed Worker frees its slot by itself. */
const leaseTtl = (config: Config) => config.chat.totalTimeoutMs + 10_000;

/**
 * Runs one chat turn up to its first byte and hands back the rest as events. Everything that can
 * refuse the request (validation, ownership, budget, concurrency, the upstream's own refusal)
 * happens before it returns, so the route can still answer with a proper status. The lookups that
 * do not depend on each other run in parallel: on this path every round trip is latency.
 */
export async function startChatTurn(input: ChatInput, deps: ChatDeps): Promise<ChatTurn> {
  const { db, config, caller } = deps;
  const chat = config.chat;
  const message = input.message.trim();
  if (message.length === 0) throw new AppError(400, 'EMPTY_MESSAGE', 'Type a message first.');
  if (message.length > chat.maxMessageChars) {
    throw new AppError(400, 'MESSAGE_TOO_LONG', `Messages can be at most ${chat.maxMessageChars} characters.`);
  }
  const model = pickModel(modelsFor(chat, caller.role), input.model ?? chat.defaultModel);
  const budget = chat.dailyTokenBudget[caller.role];
  if (budget <= 0) throw budgetExceeded();

  const gate = userGateFor(deps.gates, caller.id);
  const today = utcDay();
  const persist = input.history === undefined;
  const leasing = gate.acquire({
    maxStreams: chat.maxConcurrentStreams,
    ttlMs: leaseTtl(config),
    day: today,
    dailyBudget: budget,
    account: { userId: caller.id, tokenVersion: caller.tokenVersion, maxAgeMs: config.auth.accountRecheckMs },
    // Turns of one conversation take turns: the next waits until the previous one is stored.
    ...(persist && input.conversationId ? { conversationId: input.conversationId, waitMs: PREVIOUS_TURN_WAIT_MS } : {}),
  });
  const readHistory = async () =>
    input.conversationId
      ? loadHistory(db, caller.id, input.conversationId, config)
      : clientHistory(input.history, config);
  const lookUp = () =>
    Promise.all([
      readHistory(),
      deps.faq(message),
      // Nothing below acts for the caller (no model call, no write) until these have passed too.
      deps.admission?.limits,
    ]);
  // Settle both before acting: a lookup that refuses the request (404, 409, a D1 failure) must not
  // leave a stream slot taken until its lease expires.
  const [leased, firstLook] = await Promise.allSettled([leasing, lookUp()]);
  const lease = leased.status === 'fulfilled' ? leased.value.lease : null;
  if (leased.status === 'fulfilled') {
    // The gate checked the token's account before answering (see UserGate.acquire).
    deps.admission?.accountChecked();
    if (leased.value.lease === null && leased.value.refusal === 'account') throw tokenNoLongerValid();
  }
  /**
   * Frees the stream slot and charges the tokens to the user's day (in the same Durable Object). Tried
   * twice: a lost release would hold the slot, and the conversation, until the lease expires.
   */
  const release = async (tokens = 0): Promise<void> => {
    if (!lease) return;
    try {
      await gate.release(lease, today, tokens).catch(() => gate.release(lease, today, tokens));
    } catch (error) {
      log('error', 'stream slot not released; it frees itself when its lease expires', {
        requestId: deps.requestId,
        tokens,
        ...errorDetail(error),
      });
    }
  };
  const releaseNow = () => deps.waitUntil(release());
  // A lease that had to wait for the previous turn: the history read beside it may predate that
  // turn (or the conversation itself), so read again now that it is stored. Rare, and never slow.
  const waited = leased.status === 'fulfilled' && leased.value.lease !== null && leased.value.waited;
  const [looked] = waited ? await Promise.allSettled([lookUp()]) : [firstLook];
  if (looked.status === 'rejected') {
    releaseNow();
    throw looked.reason;
  }
  if (leased.status === 'rejected') throw leased.reason;
  const allowed = leased.value;
  if (allowed.lease === null && allowed.refusal === 'busy') {
    throw new AppError(409, 'CONVERSATION_BUSY', 'The previous answer in this conversation is still being written.', {
      headers: { 'Retry-After': '2' },
    });
  }
  const [history, found] = looked.value;

  const started = Date.now();
  const base = {
    db,
    userId: caller.id,
    conversationId: input.conversationId,
    isNewConversation: !input.conversationId,
    persist,
    userMessage: message,
    model: model.id,
  };

  if (found.strong) return faqTurn(found.strong, base, started, deps, release);
  // A knowledge-base answer costs no tokens, so it is given even over budget (above); the model is not.
  if (allowed.lease === null && allowed.refusal === 'budget') throw budgetExceeded();
  if (!lease) {
    throw new AppError(429, 'TOO_MANY_STREAMS', 'You already have answers in progress. Wait for them to finish.', {
      headers: { 'Retry-After': '5' },
    });
  }

  const prompt = buildPrompt({ persona: chat.persona, references: found.references, history, message });
  let upstream: Awaited<ReturnType<typeof streamChatCompletion>>;
  try {
    upstream = await streamChatCompletion({
      baseUrl: chat.upstream.baseUrl,
      apiKey: chat.upstream.apiKey,
      body: {
        model: model.id,
        messages: prompt,
        max_tokens: Math.min(input.maxTokens ?? chat.maxTokens, chat.maxTokens),
        user_id: await hashedUserId(caller.id),
      },
      signal: deps.signal,
      firstByteTimeoutMs: chat.firstTokenTimeoutMs,
      totalTimeoutMs: chat.totalTimeoutMs,
      limits: chat.streamLimits,
      requestId: deps.requestId,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  } catch (error) {
    releaseNow();
    throw error;
  }

  const ids = { conversationId: input.conversationId ?? crypto.randomUUID(), messageId: crypto.randomUUID() };
  const promptEstimate = prompt.reduce((sum, m) => sum + estimateTokens(m.content), 0);

  async function* events(): AsyncGenerator<ChatEvent> {
    const parts: string[] = [];
    // Reasoning is never shown or stored, but it is billed: count it when we must estimate usage.
    let reasoningChars = 0;
    let usage: ProviderUsage | undefined;
    let finishReason: string | undefined;
    let failure: ProviderError | undefined;
    try {
      for await (const event of upstream) {
        if (event.type === 'delta') {
          parts.push(event.text);
          yield event;
        } else if (event.type === 'usage') usage = event.usage;
        else if (event.type === 'finish') finishReason = event.reason;
        else if (event.type === 'reasoning') reasoningChars += event.text.length;
      }
    } catch (error) {
      if (!(error instanceof ProviderError)) {
        // The client left (abort) or something unexpected broke; either way the answer is incomplete.
        if (!deps.signal.aborted)
          log('error', 'chat stream failed', { requestId: deps.requestId, ...errorDetail(error) });
        failure = new ProviderError('UPSTREAM_STREAM_CUT', { cause: error });
      } else failure = error;
    } finally {
      upstream.cancel();
      const answer = parts.join('');
      const complete = !failure && finishReason !== undefined;
      const final: ChatUsage = usage
        ? toChatUsage(usage)
        : {
            promptTokens: promptEstimate,
            completionTokens: estimateTokens(answer) + Math.ceil(reasoningChars / 4),
            totalTokens: 0,
            cacheHitTokens: 0,
          };
      final.totalTokens = final.promptTokens + final.completionTokens;
      const record = () =>
        recordTurn({
          ...base,
          ...ids,
          answer,
          source: 'model',
          usage: final,
          usageEstimated: !usage,
          incomplete: !complete,
          finishReason: finishReason ?? (failure ? failure.code.toLowerCase() : 'aborted'),
        });
      // Started before the last event is handed over, so no way of leaving the generator skips it.
      storeInBackground(record, () => release(final.totalTokens), deps);
      if (failure && !deps.signal.aborted) {
        if (failure.operatorProblem)
          log('error', 'assistant unavailable: check the DeepSeek key and balance', { requestId: deps.requestId });
        yield { type: 'error', code: failure.code, message: failure.publicMessage };
      } else if (complete) {
        yield { type: 'done', usage: final, finishReason: finishReason ?? 'stop', processingMs: Date.now() - started };
      }
    }
  }

  return { meta: { ...ids, model: model.id, source: 'model' }, events: events() };
}

function faqTurn(
  hit: FaqHit,
  base: Omit<
    Parameters<typeof recordTurn>[0],
    'answer' | 'source' | 'usage' | 'usageEstimated' | 'incomplete' | 'finishReason' | 'messageId' | 'conversationId'
  > & { conversationId: string | undefined },
  started: number,
  deps: ChatDeps,
  release: () => Promise<void>,
): ChatTurn {
  const ids = { conversationId: base.conversationId ?? crypto.randomUUID(), messageId: crypto.randomUUID() };
  const usage: ChatUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0, cacheHitTokens: 0 };
  const record = () =>
    recordTurn({
      ...base,
      ...ids,
      answer: hit.answer,
      source: 'faq',
      faqId: hit.id,
      usage,
      usageEstimated: false,
      incomplete: false,
      finishReason: 'stop',
    });
  async function* events(): AsyncGenerator<ChatEvent> {
    storeInBackground(record, release, deps);
    yield { type: 'delta', text: hit.answer };
    yield { type: 'done', usage, finishReason: 'stop', processingMs: Date.now() - started };
  }
  return { meta: { ...ids, model: base.model, source: 'faq' }, events: events() };
}

/** A write that has not answered by then is given up on (and logged), so the slot is freed regardless. */
const RECORD_TIMEOUT_MS = 10_000;

/**
 * Stores a finished turn without holding up its answer (the client's last event does not wait for
 * D1), kept alive by `waitUntil`; only then is the stream slot released and the tokens charged, so
 * the conversation's next turn waits for the write (see StreamAllowance.acquire).
 */
function storeInBackground(record: () => Promise<void>, release: () => Promise<void>, deps: ChatDeps): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('chat record timed out')), RECORD_TIMEOUT_MS);
  });
  deps.waitUntil(
    Promise.race([record(), timeout])
      .catch((error) => log('error', 'chat record failed', { requestId: deps.requestId, ...errorDetail(error) }))
      .finally(() => {
        if (timer !== undefined) clearTimeout(timer);
        return release();
      }),
  );
}

function pickModel(allowed: readonly ChatModel[], wanted: string): ChatModel {
  const model = allowed.find((m) => m.id === wanted);
  if (!model) {
    throw new AppError(
      400,
      'MODEL_NOT_AVAILABLE',
      `Choose one of: ${allowed.map((m) => m.id).join(', ') || 'none for your role'}.`,
    );
  }
  return model;
}

/**
 * OpenAI-compatible callers send their own earlier turns: each is bounded like a message, and the
 * whole is trimmed to the history budget exactly as stored conversations are.
 */
function clientHistory(history: Turn[] | undefined, config: Config): Turn[] {
  if (!history) return [];
  if (history.some((turn) => turn.content.length > config.chat.maxMessageChars)) {
    throw new AppError(400, 'MESSAGE_TOO_LONG', `Messages can be at most ${config.chat.maxMessageChars} characters.`);
  }
  return trimHistory(history, config.chat.historyTokenBudget);
}

async function loadHistory(db: Db, userId: string, conversationId: string, config: Config): Promise<Turn[]> {
  const conversation = await findOwnConversation(db, userId, conversationId);
  if (conversation.messageCount + 2 > config.chat.maxMessagesPerConversation) {
    throw new AppError(409, 'CONVERSATION_FULL', 'This conversation is full. Start a new one.');
  }
  return trimHistory(await recentMessages(db, conversationId, HISTORY_ROWS), config.chat.historyTokenBudget);
}

function budgetExceeded() {
  const midnight = Date.parse(`${utcDay()}T00:00:00Z`) + 86_400_000;
  return new AppError(
    429,
    'TOKEN_BUDGET_EXCEEDED',
    'You have used today’s assistant allowance. It resets at midnight UTC.',
    {
      headers: { 'Retry-After': String(Math.ceil((midnight - Date.now()) / 1000)) },
    },
  );
}

const toChatUsage = (u: ProviderUsage): ChatUsage => ({
  promptTokens: u.promptTokens,
  completionTokens: u.completionTokens,
  totalTokens: u.totalTokens,
  cacheHitTokens: u.promptCacheHitTokens,
});

/** DeepSeek isolates caching and scheduling per `user_id`; it gets a hash, never our id or an email. */
async function hashedUserId(userId: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`support-chat:${userId}`));
  return [...new Uint8Array(digest)]
    .slice(0, 16)
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}
