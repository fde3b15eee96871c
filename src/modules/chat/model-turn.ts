import { errorDetail } from '../../lib/error-detail';
import { log } from '../../lib/logger';
import type { ChatDeps } from './chat.service';
import type { ChatTurn, ChatUsage, DocumentChunkHit, EventSink, FaqHit, Source } from './chat.types';
import type { ChatModel } from './chat-models';
import { buildPrompt, estimateTokens, selectReferences, type Turn } from './prompt';
import { streamChatCompletion } from './provider/deepseek.client';
import type { ProviderUsage } from './provider/deepseek.types';
import { ProviderError } from './provider/provider.errors';
import { providerUserId } from './provider/provider-user-id';
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
  const prompt = buildPrompt({ persona: chat.persona, references: grounding, history, message: plan.message });
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
    try {
      for await (const event of upstream) {
        if (event.type === 'delta') {
          parts.push(event.text);
          await sink(event);
        } else if (event.type === 'usage') usage = event.usage;
        else if (event.type === 'finish') finishReason = event.reason;
        else if (event.type === 'reasoning') reasoning.push(event.text);
      }
    } catch (error) {
      failure = asProviderError(error, deps);
    } finally {
      upstream.cancel();
    }
    const answer = parts.join('');
    const complete = !failure && finishReason !== undefined;
    const final = usage ? fromProvider(usage) : estimated(promptEstimate, answer, reasoning.join(''));
    // Started before the last event is handed over, so the write never waits behind the client.
    lifecycle.finish(
      () =>
        recordTurn({
          ...base,
          messageId,
          answer,
          source: 'model',
          usage: final,
          usageEstimated: !usage,
          incomplete: !complete,
          finishReason: finishReason ?? (failure ? failure.code.toLowerCase() : 'aborted'),
          citedDocumentIds: complete ? [...new Set(sources.map((s) => s.documentId))] : [],
        }),
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
      await sink({
        type: 'done',
        usage: final,
        finishReason: finishReason ?? 'stop',
        processingMs: Date.now() - started,
        sources,
        state: 'bot',
      });
    }
  };

  return { meta: { conversationId: base.conversationId, messageId, model: plan.model.id, source: 'model' }, run };
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
