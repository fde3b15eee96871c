import { eq } from 'drizzle-orm';
import { type ConversationState, conversations } from '../../db/schema';
import { errorDetail } from '../../lib/error-detail';
import { AppError } from '../../lib/errors';
import { log } from '../../lib/logger';
import { startHandoff } from '../handoff/handoff.service';
import { streamChatCompletion } from '../provider/deepseek.client';
import type { ProviderUsage } from '../provider/deepseek.types';
import { ProviderError } from '../provider/provider.errors';
import { providerUserId } from '../provider/provider-user-id';
import type { ChatDeps } from './chat.service';
import type { ChatTurn, ChatUsage, DocumentChunkHit, EventSink, FaqHit, Source } from './chat.types';
import type { ChatModel } from './chat-models';
import { HANDOFF_TOOL_NAME, handoffReasonOf, handoffSentenceAfter, handoffTool } from './handoff-tool';
import { buildPrompt, estimateTokens, selectReferences, type Turn } from './prompt';
import { recordTurn, type TurnRecord } from './record-turn';
import type { TurnLifecycle } from './turn-lifecycle';

type ModelTurnInput = {
  plan: { message: string; model: ChatModel; maxTokens: number };
  history: Turn[];
  references: FaqHit[];
  documents: DocumentChunkHit[];
  base: Omit<
    TurnRecord,
    'answer' | 'source' | 'usage' | 'usageEstimated' | 'incomplete' | 'finishReason' | 'messageId'
  >;
  lifecycle: TurnLifecycle;
  deps: ChatDeps;
};

/**
 * Starts the model's answer: resolves once the upstream has accepted the request (so its refusal is
 * still an HTTP status), then `run` relays the answer, records it and settles the turn with what it cost.
 */
export async function startModelTurn({
  plan,
  history,
  references,
  documents,
  base,
  lifecycle,
  deps,
}: ModelTurnInput): Promise<ChatTurn> {
  const chat = deps.config.chat;
  const grounding = selectReferences(
    references,
    documents.map((hit) => ({ ...hit, document: hit.name })),
  );
  const sources = sourcesOf(grounding);
  // A person can take over only a conversation we keep; a thinking model's tool turns would need its
  // reasoning sent back later, which we never store.
  const handOff = base.persist && !plan.model.thinking.enabled;
  const prompt = buildPrompt({
    persona: chat.persona,
    references: grounding,
    history,
    message: plan.message,
    handoff: handOff,
  });
  const started = Date.now();
  const upstream = await streamChatCompletion({
    baseUrl: chat.upstream.baseUrl,
    apiKey: chat.upstream.apiKey,
    body: {
      // The client named a public id; DeepSeek gets what that id stands for today.
      model: plan.model.upstreamModel,
      thinking: plan.model.thinking,
      messages: prompt,
      max_tokens: plan.maxTokens,
      user_id: await providerUserId(deps.caller.id, chat.providerUserIdSecret),
      ...(handOff ? { tools: [handoffTool], tool_choice: 'auto' as const } : {}),
    },
    signal: deps.signal,
    firstByteTimeoutMs: chat.firstTokenTimeoutMs,
    totalTimeoutMs: chat.totalTimeoutMs,
    limits: chat.streamLimits,
    requestId: deps.requestId,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  const messageId = crypto.randomUUID();
  const promptEstimate = prompt.reduce((sum, m) => sum + estimateTokens(m.content), 0);

  const run = async (sink: EventSink): Promise<void> => {
    lifecycle.started();
    const parts: string[] = [];
    // Reasoning is never shown or stored, but it is billed: count it when we must estimate usage.
    const reasoning: string[] = [];
    let usage: ProviderUsage | undefined;
    let finishReason: string | undefined;
    let failure: ProviderError | undefined;
    /** The model's handoff call; the first one counts. */
    let handoffCall: { reason: string | null } | undefined;
    try {
      for await (const event of upstream) {
        if (event.type === 'delta') {
          parts.push(event.text);
          await sink(event);
        } else if (event.type === 'usage') usage = event.usage;
        else if (event.type === 'finish') finishReason = event.reason;
        else if (event.type === 'reasoning') reasoning.push(event.text);
        else if (event.type === 'tool_call') {
          if (handOff && event.name === HANDOFF_TOOL_NAME) handoffCall ??= { reason: handoffReasonOf(event.arguments) };
          // Only what we offered runs; anything else the model invents is noted and left alone.
          else log('warn', 'model called a tool it was not offered', { requestId: deps.requestId, tool: event.name });
        }
      }
    } catch (error) {
      failure = asProviderError(error, deps);
    } finally {
      upstream.cancel();
    }
    const written = parts.join('');
    const complete = !failure && finishReason !== undefined;
    // Tool calls arrive only with `finish`: a call here is whole, and the answer complete.
    const handingOff = complete && handoffCall ? handoffCall : undefined;
    // The customer is told in words; that sentence is part of the stored answer.
    const told = handingOff ? handoffSentenceAfter(written) : '';
    const answer = written + told;
    const final = usage ? fromProvider(usage) : estimated(promptEstimate, written, reasoning.join(''));
    let state: ConversationState = 'bot';
    // Started before the last event is handed over, so the write never waits behind the client. A
    // handoff follows the write (a new conversation exists only once recorded) and holds the lease
    // until it is committed, so the conversation's next message already finds it waiting.
    const recorded = lifecycle.finish(
      async () => {
        await recordTurn({
          ...base,
          messageId,
          answer,
          source: 'model',
          usage: final,
          usageEstimated: !usage,
          incomplete: !complete,
          finishReason: finishReason ?? (failure ? failure.code.toLowerCase() : 'aborted'),
          citedDocumentIds: complete ? [...new Set(sources.map((s) => s.documentId))] : [],
        });
        if (handingOff) state = await handOffSafely(base.conversationId, handingOff.reason, deps);
      },
      final.totalTokens,
      {
        promptTokens: final.promptTokens,
        completionTokens: final.completionTokens,
        cachedTokens: final.cacheHitTokens,
      },
    );
    if (deps.signal.aborted) return;
    if (failure) {
      if (failure.operatorProblem) {
        log('error', 'assistant unavailable: check the DeepSeek key and balance', { requestId: deps.requestId });
      }
      await sink({ type: 'error', code: failure.code, message: failure.publicMessage });
    } else if (complete) {
      if (handingOff) {
        await sink({ type: 'delta', text: told });
        // `done` says `waiting` only once the handoff is stored: the client may then act on it.
        await recorded;
      }
      await sink({
        type: 'done',
        usage: final,
        finishReason: finishReason ?? 'stop',
        processingMs: Date.now() - started,
        sources,
        state,
      });
    }
  };

  return { meta: { conversationId: base.conversationId, messageId, model: plan.model.id, source: 'model' }, run };
}

/**
 * The assistant's handoff: a refusal (the customer asked for a person at the same moment, or deleted
 * the conversation) or a failure leaves the turn answered; the state is then what it is.
 */
async function handOffSafely(
  conversationId: string,
  reason: string | null,
  deps: ChatDeps,
): Promise<ConversationState> {
  try {
    const { state } = await startHandoff(deps.handoff, { conversationId, trigger: 'assistant', reason });
    return state;
  } catch (error) {
    // Already handed off (the customer pressed the button meanwhile) is no failure; anything else is.
    const refused = error instanceof AppError && error.code === 'CONVERSATION_STATE';
    log(refused ? 'info' : 'error', refused ? 'assistant handoff not needed' : 'assistant handoff failed', {
      requestId: deps.requestId,
      ...errorDetail(error),
    });
    const [row] = await deps.db
      .select({ state: conversations.state })
      .from(conversations)
      .where(eq(conversations.id, conversationId))
      .catch(() => []);
    return row?.state ?? 'bot';
  }
}

/** The documents the model was given, one citation per document and section, in prompt order. */
function sourcesOf(grounding: readonly object[]): Source[] {
  const seen = new Set<string>();
  const sources: Source[] = [];
  for (const ref of grounding) {
    if (!('documentId' in ref)) continue;
    const { documentId, name, section } = ref as DocumentChunkHit;
    const key = `${documentId}\u0000${section ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    sources.push({ documentId, name, section });
  }
  return sources;
}

/** The client left (abort), its sink failed, or something unexpected broke: the answer is incomplete. */
function asProviderError(error: unknown, deps: ChatDeps): ProviderError {
  if (error instanceof ProviderError) return error;
  if (!deps.signal.aborted) log('error', 'chat stream failed', { requestId: deps.requestId, ...errorDetail(error) });
  return new ProviderError('UPSTREAM_STREAM_CUT', { cause: error });
}

const fromProvider = (u: ProviderUsage): ChatUsage => ({
  promptTokens: u.promptTokens,
  completionTokens: u.completionTokens,
  totalTokens: u.promptTokens + u.completionTokens,
  cacheHitTokens: u.promptCacheHitTokens,
  reasoningTokens: u.reasoningTokens ?? 0,
});

function estimated(promptTokens: number, answer: string, reasoning: string): ChatUsage {
  const reasoningTokens = estimateTokens(reasoning);
  const completionTokens = estimateTokens(answer) + reasoningTokens;
  return {
    promptTokens,
    completionTokens,
    totalTokens: promptTokens + completionTokens,
    cacheHitTokens: 0,
    reasoningTokens,
  };
}
