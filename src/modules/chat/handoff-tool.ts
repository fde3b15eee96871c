import type { ToolDefinition } from '../provider/deepseek.types';

/**
 * The model's one tool (OWASP LLM06: it changes the conversation's state, nothing else). Offered only
 * on conversations we keep and to models that do not think; the service turns a call into a handoff.
 */
export const HANDOFF_TOOL_NAME = 'handoff_to_human';

export const handoffTool: ToolDefinition = {
  type: 'function',
  function: {
    name: HANDOFF_TOOL_NAME,
    description:
      'Hand this conversation to a person from our support team, who then replies here. Use it when the customer asks for a person, is upset, or needs something only staff can do (see or change an order, an account or a payment).',
    parameters: {
      type: 'object',
      properties: {
        reason: { type: 'string', description: 'One short sentence for the team: why a person is needed.' },
      },
      required: ['reason'],
      additionalProperties: false,
    },
  },
};

/** What the customer is told when the model hands off, after whatever the model wrote itself. */
export const HANDED_OFF_SENTENCE = 'I’m bringing in a person from our team — they’ll reply here.';

/** Longest reason kept: it is model output shown to operators, not a place for an essay. */
const MAX_REASON_CHARS = 300;

/** The call's `reason`, trimmed and bounded; null when the arguments are not the JSON we asked for. */
export function handoffReasonOf(args: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const reason = (parsed as { reason?: unknown }).reason;
  if (typeof reason !== 'string') return null;
  const trimmed = reason.replace(/\s+/g, ' ').trim();
  return trimmed === '' ? null : trimmed.slice(0, MAX_REASON_CHARS);
}

/** What is appended to the model's own words (streamed as is, so the stored answer is exactly what was shown). */
export const handoffSentenceAfter = (written: string) =>
  written === '' || /\s$/.test(written) ? HANDED_OFF_SENTENCE : ` ${HANDED_OFF_SENTENCE}`;
