import { and, eq, isNull } from 'drizzle-orm';
import { handoffs } from '../../db/schema';
import { errorDetail } from '../../lib/error-detail';
import { log } from '../../lib/logger';
import { reserveFromCeiling } from '../admission/ceiling';
import { recentMessages } from '../conversations/conversations.service';
import { streamChatCompletion } from '../provider/deepseek.client';
import type { ProviderUsage } from '../provider/deepseek.types';
import { providerUserId } from '../provider/provider-user-id';
import { estimateTokens } from '../provider/token-estimate';
import type { HandoffContext } from './handoff.context';
import { inboxItem } from './inbox.service';
import { INBOX_CHANNEL, publishLive } from './live/live.client';
import { summaryPrompt } from './summary-prompt';

/** Messages read for the summary: the recent past is what an operator needs first. */
const TRANSCRIPT_MESSAGES = 40;
/** A few sentences; never a second conversation's worth of tokens. */
const SUMMARY_MAX_TOKENS = 150;
/** Stored summaries are bounded whatever the upstream sends. */
const SUMMARY_MAX_CHARS = 1200;
/** Margin over our estimate for what the chat template adds around the messages. */
const PROMPT_OVERHEAD_TOKENS = 64;

/**
 * Writes the operators' summary of a handed-off conversation, once per handoff: the recent transcript
 * goes to the default model (thinking off) within the deployment's token ceiling, and the answer is
 * stored only if no summary is there yet, then shown in the inbox. Best effort: a spent ceiling or an
 * upstream failure leaves the summary empty (logged), and nothing is ever thrown to the caller.
 */
export async function summarizeHandoff(ctx: HandoffContext, conversationId: string, handoffId: string): Promise<void> {
  try {
    const summary = await writeSummary(ctx, conversationId, handoffId);
    if (summary === undefined) return;
    const stored = await ctx.db
      .update(handoffs)
      .set({ summary })
      .where(and(eq(handoffs.id, handoffId), isNull(handoffs.summary)))
      .returning({ id: handoffs.id });
    if (stored.length === 0) return;
    const item = await inboxItem(ctx.db, conversationId);
    if (!item) return;
    await publishLive(
      ctx.env.LIVE,
      INBOX_CHANNEL,
      { type: 'state', conversationId, state: item.state, assignedTo: item.assignedTo, item },
      ctx.requestId,
    );
  } catch (error) {
    log('error', 'handoff summary failed', { requestId: ctx.requestId, handoffId, ...errorDetail(error) });
  }
}

/** The summary text, or undefined when there is nothing to write (already written, no budget, upstream failed). */
async function writeSummary(ctx: HandoffContext, conversationId: string, handoffId: string) {
  const { db, config, requestId } = ctx;
  const [handoff] = await db.select({ summary: handoffs.summary }).from(handoffs).where(eq(handoffs.id, handoffId));
  if (!handoff || handoff.summary !== null) return undefined;
  const transcript = await recentMessages(db, conversationId, TRANSCRIPT_MESSAGES);
  if (!transcript.some((m) => m.role === 'user')) return undefined;

  const messages = summaryPrompt(transcript);
  const promptTokens = messages.reduce((sum, m) => sum + estimateTokens(m.content), PROMPT_OVERHEAD_TOKENS);
  const chat = config.chat;
  // The deployment's day as chat counts it (UTC), so summaries and answers share one ceiling.
  const day = new Date().toISOString().slice(0, 10);
  const reservation = await reserveFromCeiling(
    ctx.env.BUDGET_SHARDS,
    chat.ceiling,
    day,
    promptTokens + SUMMARY_MAX_TOKENS,
    requestId ?? handoffId,
  );
  if (!reservation.granted) {
    log('info', 'handoff summary skipped: the daily token ceiling is spent', { requestId, handoffId });
    return undefined;
  }
  // The default model, always without thinking: a short note needs no reasoning (nor its price).
  const model = chat.models.find((m) => m.id === chat.defaultModel) ?? chat.models[0];
  let usage: ProviderUsage | undefined;
  const parts: string[] = [];
  try {
    if (!model) throw new Error('no chat model configured');
    const stream = await streamChatCompletion({
      baseUrl: chat.upstream.baseUrl,
      apiKey: chat.upstream.apiKey,
      body: {
        model: model.upstreamModel,
        thinking: { enabled: false },
        messages,
        max_tokens: SUMMARY_MAX_TOKENS,
        user_id: await providerUserId(`handoff:${conversationId}`, chat.providerUserIdSecret),
        temperature: 0.3,
      },
      firstByteTimeoutMs: chat.firstTokenTimeoutMs,
      totalTimeoutMs: chat.totalTimeoutMs,
      limits: chat.streamLimits,
      requestId,
    });
    for await (const event of stream) {
      if (event.type === 'delta') parts.push(event.text);
      else if (event.type === 'usage') usage = event.usage;
    }
  } catch (error) {
    // The client already logged the upstream failure (without its text); this says what it cost us.
    log('warn', 'handoff summary not written: the model did not answer', {
      requestId,
      handoffId,
      ...errorDetail(error),
    });
    await reservation.settle(usage?.totalTokens ?? (parts.length ? promptTokens + estimateTokens(parts.join('')) : 0));
    return undefined;
  }
  const text = parts.join('').replace(/\s+/g, ' ').trim().slice(0, SUMMARY_MAX_CHARS);
  await reservation.settle(usage?.totalTokens ?? promptTokens + estimateTokens(text));
  return text === '' ? undefined : text;
}
