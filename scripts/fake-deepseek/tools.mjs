// @ts-check
// Function calling as the fake speaks it: DeepSeek's OpenAI-compatible `tools` and `tool_choice`, the
// messages that carry calls and their results, and when the fake decides to call a tool. Deterministic:
// it calls `handoff_to_human` (when offered) if the last user message asks for a person in so many
// words ("talk to a person", "human", "agent") or carries `[fake:handoff=1]`; `[fake:handoff=2]` makes
// it call a function it was not offered, as a confused model might.

/** Words that make the fake hand off, matched case-insensitively as whole words. */
const handoffCue = /\b(talk to a person|human|agent)\b/i;
const functionName = /^[A-Za-z0-9_-]{1,64}$/;

export const HANDOFF_TOOL = 'handoff_to_human';
/** The function the fake calls on `[fake:handoff=2]`: never one a request offers. */
export const UNKNOWN_TOOL = 'lookup_order_status';
/** The short text the fake writes before its handoff call, and the reason it gives. */
export const handoffPreamble = 'I understand.';
export const handoffReason = 'The customer asked to talk to a person.';

/**
 * DeepSeek's checks of `tools`, `tool_choice` and the tool-related message fields, as 422/400 details.
 * @param {Record<string, unknown>} b the request body
 * @returns {{status: number, message: string} | undefined}
 */
export function validateTools(b) {
  const reject = (/** @type {string} */ detail) => ({
    status: 422,
    message: `Failed to deserialize the JSON body into the target type: ${detail}`,
  });
  const names = new Set();
  if (b.tools !== undefined) {
    if (!Array.isArray(b.tools)) return reject('tools: invalid type: expected a sequence');
    if (b.tools.length > 128) return { status: 400, message: 'Too many tools: at most 128 are allowed' };
    for (const tool of b.tools) {
      if (tool?.type !== 'function') return reject('tools: unknown variant, expected `function`');
      const name = tool.function?.name;
      if (typeof name !== 'string' || !functionName.test(name)) return reject('tools: invalid function name');
      const parameters = tool.function?.parameters;
      if (parameters !== undefined && (typeof parameters !== 'object' || parameters === null)) {
        return reject('tools: parameters: invalid type: expected a JSON schema object');
      }
      names.add(name);
    }
  }
  const choice = /** @type {unknown} */ (b.tool_choice);
  if (choice !== undefined) {
    if (typeof choice === 'string') {
      if (!['none', 'auto', 'required'].includes(choice)) {
        return reject('tool_choice: unknown variant, expected one of `none`, `auto`, `required`');
      }
    } else {
      const named = /** @type {{type?: unknown, function?: {name?: unknown}} | null} */ (choice);
      if (named?.type !== 'function' || typeof named.function?.name !== 'string') {
        return reject('tool_choice: invalid type');
      }
      if (!names.has(named.function.name)) return { status: 400, message: 'tool_choice names a function not in tools' };
    }
    if (choice !== 'none' && names.size === 0) return { status: 400, message: 'tool_choice is set without tools' };
  }
  return undefined;
}

/**
 * DeepSeek's rule for thinking mode: an assistant turn that called tools must send its reasoning back.
 * @param {{role: string, tool_calls?: unknown, reasoning_content?: unknown}[]} messages
 * @param {boolean} thinking
 */
export function missingReasoning(messages, thinking) {
  if (!thinking) return undefined;
  const index = messages.findIndex(
    (m) => m.role === 'assistant' && Array.isArray(m.tool_calls) && typeof m.reasoning_content !== 'string',
  );
  if (index < 0) return undefined;
  return {
    status: 400,
    message: `Missing \`reasoning_content\` field in the assistant message at message index ${index}. For more information, please refer to https://api-docs.deepseek.com/guides/thinking_mode#tool-calls`,
  };
}

/**
 * The call the fake makes for this request, if any: only a function the request offers (or, on
 * `[fake:handoff=2]`, one it does not), never when `tool_choice` is `none`.
 * @param {Record<string, unknown>} body
 * @param {string} lastUser
 * @param {number} handoffSwitch
 * @returns {{name: string, arguments: string} | undefined}
 */
export function plannedToolCall(body, lastUser, handoffSwitch) {
  const tools = Array.isArray(body.tools) ? body.tools : [];
  if (tools.length === 0 || body.tool_choice === 'none') return undefined;
  if (handoffSwitch === 2) return { name: UNKNOWN_TOOL, arguments: JSON.stringify({ order: 'unknown' }) };
  const offered = tools.some((tool) => tool?.function?.name === HANDOFF_TOOL);
  if (!offered || !(handoffSwitch === 1 || handoffCue.test(lastUser))) return undefined;
  return { name: HANDOFF_TOOL, arguments: JSON.stringify({ reason: handoffReason }) };
}

/**
 * Splits a call's arguments into the pieces DeepSeek streams them in (a few characters each).
 * @param {string} text
 */
export function argumentPieces(text) {
  const size = Math.max(1, Math.ceil(text.length / 4));
  const pieces = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}
