import type { Config } from '../../config';
import type { Db } from '../../db/client';
import type { Conversation, Message } from '../../db/schema';
import { AppError } from '../../lib/errors';
import { budgetExceeded, ceilingReached } from '../admission/admission.errors';
import type { TurnRequest } from '../admission/admission.types';
import type { CeilingReservation } from '../admission/ceiling';
import type { Admit } from '../auth/authenticate';
import {
  type ConversationOwner,
  findOwnConversation,
  ownerOf,
  recentMessages,
} from '../conversations/conversations.service';
import type { HandoffContext } from '../handoff/handoff.context';
import { holdCustomerMessage } from '../handoff/handoff.service';
import type { FetchLike } from '../provider/deepseek.client';
import { modelsFor } from './chat.config';
import type {
  ChatCaller,
  ChatTurn,
  DocumentChunkHit,
  DocumentLookup,
  FaqHit,
  FaqLookup,
  HeldMessage,
} from './chat.types';
import type { ChatModel } from './chat-models';
import { startModelTurn } from './model-turn';
import { promptTokenBound, type Turn, trimHistory } from './prompt';
import { recordTurn, type TurnRecord } from './record-turn';
import { type LifecycleDeps, TurnLifecycle } from './turn-lifecycle';
import { utcDay } from './usage.service';
import { withinGrace } from './within-grace';

export type ChatInput = {
  message: string;
  conversationId?: string | undefined;
  model?: string | undefined;
  /** OpenAI-compatible callers bring their own earlier turns and keep no conversation with us. */
  history?: Turn[];
  /** A caller's own answer-length cap; never above the configured one. */
  maxTokens?: number;
};

export type ChatDeps = LifecycleDeps & {
  db: Db;
  config: Config;
  caller: ChatCaller;
  faq: FaqLookup;
  /** Chunks of published documents: one D1 query, started beside admission and the other lookups. */
  documents: DocumentLookup;
  /** The caller's admission, with this turn (see authenticate.ts). */
  admit: Admit;
  /** A share of the deployment's daily ceiling, reserved beside admission. */
  reserveCeiling: (day: string, tokens: number) => Promise<CeilingReservation>;
  /** For conversations a person has (messages held for the operators) or the assistant hands to one. */
  handoff: HandoffContext;
  /** Fires when the client goes away; aborts the upstream call. */
  signal: AbortSignal;
  fetch?: FetchLike;
};

/** History rows read for a conversation before token trimming; more than any sane budget holds. */
const HISTORY_ROWS = 40;

/** How long a conversation's next turn waits for the previous one to be stored before a 409. */
const PREVIOUS_TURN_WAIT_MS = 5_000;

/** What the turn will ask of the model and of admission, decided from the request alone. */
type TurnPlan = {
  message: string;
  model: ChatModel;
  maxTokens: number;
  persist: boolean;
  day: string;
  admission: TurnRequest;
};

/**
 * One chat turn, in four steps: plan it from the request; admit it (account, limits, lease,
 * reservation) beside its own lookups; answer from the knowledge base or start the model; the
 * answer is then recorded and the turn settled by its lifecycle. Everything that can refuse the
 * request happens before this returns, so the route can still answer with a proper status.
 */
export async function startChatTurn(input: ChatInput, deps: ChatDeps): Promise<ChatTurn | HeldMessage> {
  let plan: TurnPlan;
  try {
    plan = planTurn(input, deps);
  } catch (error) {
    // An invalid turn still counts against the caller's limits, and a refused caller hears why.
    await deps.admit();
    throw error;
  }
  // Started beside the rest; waited for only briefly once the rest has answered (see withinGrace).
  const documentSearch = deps.documents(plan.message);
  const [admitted, ceiling, looked] = await Promise.allSettled([
    deps.admit(plan.admission),
    deps.reserveCeiling(plan.day, plan.admission.reserveTokens),
    lookUp(input, plan, deps),
  ]);
  if (admitted.status === 'rejected' || admitted.value === undefined || ceiling.status === 'rejected') {
    if (ceiling.status === 'fulfilled') deps.waitUntil(ceiling.value.settle(0));
    if (admitted.status === 'rejected') {
      const held = await holdDespiteTurnRefusal(admitted.reason, looked, plan, deps);
      if (held) return held;
      throw admitted.reason;
    }
    if (admitted.value !== undefined) new TurnLifecycle(admitted.value, plan.day, noCeiling, deps).abandon();
    throw ceiling.status === 'rejected' ? ceiling.reason : new Error('admission returned no lease for a turn');
  }
  const lifecycle = new TurnLifecycle(admitted.value, plan.day, ceiling.value, deps);
  try {
    // A lease that had to wait for the previous turn: the history read beside it may predate that
    // turn (or the conversation itself), so read again now that it is stored. Rare, and never slow.
    const context = admitted.value.waited ? await lookUp(input, plan, deps) : await unwrap(looked);
    if (context.conversation && isHeld(context.conversation)) {
      const held = await holdCustomerMessage(deps.handoff, context.conversation, plan.message);
      if (held) {
        // Stored for the operators: nothing was answered, so the lease and the reservation go back.
        lifecycle.abandon();
        return { held };
      }
      // Handed back to the assistant in the meantime: answer it as usual, from the history as it is now.
      return await answer(input, plan, await lookUp(input, plan, deps), documentSearch, lifecycle, ceiling.value, deps);
    }
    return await answer(input, plan, context, documentSearch, lifecycle, ceiling.value, deps);
  } catch (error) {
    lifecycle.abandon();
    throw error;
  }
}

/** The assistant's turn: a strong knowledge-base match answers alone; otherwise the model, within budget. */
async function answer(
  input: ChatInput,
  plan: TurnPlan,
  context: Awaited<ReturnType<typeof lookUp>>,
  documentSearch: Promise<DocumentChunkHit[]>,
  lifecycle: TurnLifecycle,
  ceiling: CeilingReservation,
  deps: ChatDeps,
): Promise<ChatTurn> {
  const base = turnRecord(input, plan, deps);
  if (context.found.strong) return faqTurn(context.found.strong, base, lifecycle);
  // A knowledge-base answer costs no tokens, so it is given over budget too; the model is not.
  if (lifecycle.reservedTokens === 0) throw budgetExceeded();
  if (!ceiling.granted) throw ceiling.refusal?.() ?? ceilingReached();
  return await startModelTurn({
    plan,
    history: context.history,
    references: context.found.references,
    documents: await withinGrace(documentSearch, deps.config.documents.searchGraceMs, deps.requestId),
    base,
    lifecycle,
    deps,
  });
}

/**
 * Refusals of the turn itself — its daily quota, its streams, a previous answer still being written — not of
 * the caller: the account check and the rate limits passed. A message for a person needs no turn, so a
 * customer who spent their quota on the assistant can still reach the operator they asked for.
 */
const TURN_REFUSALS: ReadonlySet<string> = new Set([
  'MESSAGE_QUOTA_EXCEEDED',
  'NETWORK_QUOTA_EXCEEDED',
  'TOO_MANY_STREAMS',
  'CONVERSATION_BUSY',
]);

async function holdDespiteTurnRefusal(
  refusal: unknown,
  looked: PromiseSettledResult<Awaited<ReturnType<typeof lookUp>>>,
  plan: TurnPlan,
  deps: ChatDeps,
): Promise<HeldMessage | undefined> {
  if (!(refusal instanceof AppError) || !TURN_REFUSALS.has(refusal.code)) return undefined;
  const conversation = looked.status === 'fulfilled' ? looked.value.conversation : undefined;
  if (!conversation || !isHeld(conversation)) return undefined;
  const held = await holdCustomerMessage(deps.handoff, conversation, plan.message);
  return held ? { held } : undefined;
}

const noCeiling: CeilingReservation = { granted: true, settle: async () => {} };

const unwrap = <T>(result: PromiseSettledResult<T>): T => {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
};

function planTurn(input: ChatInput, deps: ChatDeps): TurnPlan {
  const { config, caller } = deps;
  const chat = config.chat;
  const message = input.message.trim();
  if (message.length === 0) throw new AppError(400, 'EMPTY_MESSAGE', 'Type a message first.');
  if (message.length > chat.maxMessageChars) {
    throw new AppError(400, 'MESSAGE_TOO_LONG', `Messages can be at most ${chat.maxMessageChars} characters.`);
  }
  const model = pickModel(modelsFor(chat, caller.role, caller.models), input.model ?? chat.defaultModel);
  const limits = callerLimits(caller, chat);
  const dailyTokenBudget = limits.tokens;
  if (dailyTokenBudget <= 0) throw budgetExceeded();
  const maxTokens = Math.min(input.maxTokens ?? chat.maxTokens, chat.maxTokens);
  const persist = input.history === undefined;
  const day = utcDay();
  return {
    message,
    model,
    maxTokens,
    persist,
    day,
    admission: {
      day,
      // Turns of one conversation take turns: the next waits until the previous one is stored.
      ...(persist && input.conversationId ? { conversationId: input.conversationId } : {}),
      waitMs: PREVIOUS_TURN_WAIT_MS,
      maxStreams: limits.streams,
      leaseTtlMs: chat.totalTimeoutMs + 10_000,
      reserveTokens: promptTokenBound(chat.persona, chat.historyTokenBudget, message) + maxTokens,
      dailyTokenBudget,
      dailyMessageQuota: limits.messages,
      ...(persist && !input.conversationId ? { newConversationCap: chat.maxConversations } : {}),
    },
  };
}

/** A role's daily allowances; a guest's are their site's, with one answer at a time. */
function callerLimits(caller: ChatDeps['caller'], chat: Config['chat']) {
  if (caller.role === 'guest') {
    if (!caller.guest) throw new Error('guest turn without its site');
    return { tokens: caller.guest.tokensPerDay, messages: caller.guest.messagesPerDay, streams: 1 };
  }
  return {
    tokens: chat.dailyTokenBudget[caller.role],
    messages: chat.dailyMessageQuota[caller.role],
    streams: chat.maxConcurrentStreams,
  };
}

/** The turn's reads: its history (or the caller's own), the knowledge base, and the conversation cap. */
async function lookUp(input: ChatInput, plan: TurnPlan, deps: ChatDeps) {
  const { db, config, caller } = deps;
  const owner = ownerOf(caller);
  const [stored, found] = await Promise.all([
    input.conversationId
      ? loadConversation(db, owner, input.conversationId, config)
      : { history: clientHistory(input.history, config), conversation: undefined },
    deps.faq(plan.message),
  ]);
  return { ...stored, found };
}

type RecordBase = Omit<
  TurnRecord,
  'answer' | 'source' | 'usage' | 'usageEstimated' | 'incomplete' | 'finishReason' | 'messageId'
>;

function turnRecord(input: ChatInput, plan: TurnPlan, deps: ChatDeps): RecordBase {
  const { caller } = deps;
  return {
    db: deps.db,
    owner: caller.guest
      ? { visitorId: caller.id, siteId: caller.guest.siteId, customer: caller.guest.customer }
      : { userId: caller.id },
    conversationId: input.conversationId ?? crypto.randomUUID(),
    isNewConversation: !input.conversationId,
    persist: plan.persist,
    userMessage: plan.message,
    model: plan.model.id,
  };
}

function faqTurn(hit: FaqHit, base: RecordBase, lifecycle: TurnLifecycle): ChatTurn {
  const started = Date.now();
  const messageId = crypto.randomUUID();
  const usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0, cacheHitTokens: 0, reasoningTokens: 0 };
  return {
    meta: { conversationId: base.conversationId, messageId, model: base.model, source: 'faq' },
    run: async (sink) => {
      lifecycle.finish(
        () =>
          recordTurn({
            ...base,
            messageId,
            answer: hit.answer,
            source: 'faq',
            faqId: hit.id,
            usage,
            usageEstimated: false,
            incomplete: false,
            finishReason: 'stop',
          }),
        0,
      );
      await sink({ type: 'delta', text: hit.answer });
      await sink({
        type: 'done',
        usage,
        finishReason: 'stop',
        processingMs: Date.now() - started,
        sources: [],
        state: 'bot',
      });
    },
  };
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

async function loadConversation(db: Db, owner: ConversationOwner, conversationId: string, config: Config) {
  const conversation = await findOwnConversation(db, owner, conversationId);
  const held = isHeld(conversation);
  if (conversation.messageCount + (held ? 1 : 2) > config.chat.maxMessagesPerConversation) {
    throw new AppError(409, 'CONVERSATION_FULL', 'This conversation is full. Start a new one.');
  }
  // A conversation a person has (or is about to have) needs no history: the model is not asked.
  const history = held
    ? []
    : trimHistory(asTurns(await recentMessages(db, conversationId, HISTORY_ROWS)), config.chat.historyTokenBudget);
  return { history, conversation };
}

/** Waiting for or with a person: the model stays silent, the message goes to the operators. */
const isHeld = (conversation: Conversation) =>
  conversation.state === 'waiting' || conversation.state === 'with_operator';

/**
 * Stored messages as the model sees them: an operator's replies are answers the customer was given (so the
 * model, back in charge, knows what a person said); notices to the customer are ours, not the conversation's.
 */
export function asTurns(rows: readonly Message[]): Turn[] {
  const turns: Turn[] = [];
  for (const row of rows) {
    if (row.role === 'user' || row.role === 'assistant') turns.push({ role: row.role, content: row.content });
    else if (row.role === 'operator') {
      turns.push({
        role: 'assistant',
        content: `(${row.authorName ?? 'A person'} from our team wrote:) ${row.content}`,
      });
    }
  }
  return turns;
}
