// @ts-check
// A faithful fake of DeepSeek's OpenAI-compatible API as a web-standard fetch handler: workerd runs it
// in tests, Node 20 runs it for `npm run dev` and benchmarks (scripts/fake-deepseek.mjs). It streams
// deterministic canned text in DeepSeek's exact wire format and can be told to be slow, to queue
// with keep-alives, to cut a stream, or to fail (see switches.mjs). Like DeepSeek since its 2026
// models, it thinks (streams `reasoning_content` first) unless a request sends
// `thinking: {type: "disabled"}`, and answers retired or unknown model ids with "Model Not Exist".
// Offered tools, it calls `handoff_to_human` on cue (see tools.mjs); asked for a summary of a
// `<transcript>`, it writes a canned one.
import { resolveSwitches } from './switches.mjs';
import {
  argumentPieces,
  HANDOFF_TOOL,
  handoffPreamble,
  missingReasoning,
  plannedToolCall,
  validateTools,
} from './tools.mjs';
import {
  approxTokens,
  cannedAnswer,
  cannedReasoning,
  cannedSummary,
  errorResponse,
  isSummaryRequest,
  systemFingerprint,
  tokenize,
  usageFor,
} from './wire.mjs';

export { handoffPreamble, handoffReason, UNKNOWN_TOOL } from './tools.mjs';
export {
  approxTokens,
  cannedAnswer,
  cannedNotice,
  cannedReasoning,
  cannedSummary,
  fakeErrorStatuses,
} from './wire.mjs';

/** @typedef {import('./handler.mjs').FakeDeepSeekOptions} FakeDeepSeekOptions */
/** @typedef {import('./handler.mjs').FakeDeepSeekStats} FakeDeepSeekStats */
/** @typedef {{role: string, content: string | null, tool_calls?: unknown, reasoning_content?: unknown}} Message */
/** @typedef {{model: string, messages: Message[], stream?: boolean, max_tokens?: number, stream_options?: {include_usage?: boolean}, thinking?: {type: 'enabled' | 'disabled'}, reasoning_effort?: string, tools?: unknown[], tool_choice?: unknown}} CompletionBody */

const encoder = new TextEncoder();
// `deepseek-chat` and `deepseek-reasoner` were retired on 2026-07-24: DeepSeek answers them as unknown.
const defaultModels = ['deepseek-flash'];
// Remembered fail-times keys are bounded so a long benchmark cannot grow the map without end.
const maxFailureKeys = 10_000;

/** @param {FakeDeepSeekOptions} [options] */
export function createFakeDeepSeek(options = {}) {
  const { models = defaultModels, maxTokensLimit = 65_536, now = Date.now, ...switchDefaults } = options;
  /** Failures already served per fail-times key. */
  const failures = new Map();
  /** @type {FakeDeepSeekStats} */
  const stats = { requests: 0, completed: 0, aborted: 0, cut: 0, lastRequest: undefined };

  /** @param {Request} request */
  async function handle(request) {
    stats.requests++;
    const path = new URL(request.url).pathname.replace(/\/+$/, '').replace(/^\/v1(?=\/)/, '');
    if (path !== '/chat/completions' && path !== '/models') return errorResponse(404, 'Not Found');
    const apiKey = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
    if (!apiKey) return errorResponse(401);

    if (path === '/models') {
      if (request.method !== 'GET') return errorResponse(405, 'Method Not Allowed');
      const data = models.map((id) => ({ id, object: 'model', owned_by: 'deepseek' }));
      return Response.json({ object: 'list', data });
    }
    if (request.method !== 'POST') return errorResponse(405, 'Method Not Allowed');

    /** @type {unknown} */
    let parsed;
    try {
      parsed = await request.json();
    } catch {
      return errorResponse(400, 'Failed to parse the request body as JSON');
    }
    const problem = validate(parsed, maxTokensLimit);
    if (problem) return errorResponse(problem.status, problem.message);
    const body = /** @type {CompletionBody} */ (parsed);
    // Like DeepSeek: tools are accepted with thinking on, but then a tool-call turn needs its reasoning back.
    const unthought = missingReasoning(body.messages, body.thinking?.type !== 'disabled');
    if (unthought) return errorResponse(unthought.status, unthought.message);
    if (!models.includes(body.model)) return errorResponse(400, 'Model Not Exist');
    stats.lastRequest = { headers: request.headers, body };

    const lastUser = body.messages.findLast((m) => m.role === 'user')?.content ?? '';
    const settings = resolveSwitches(switchDefaults, request.headers, lastUser);
    const failStatus = settings.status || (settings.failTimes > 0 ? 503 : 0);
    if (failStatus && failStatus !== 200) {
      if (settings.failTimes === 0) return errorResponse(failStatus);
      const key = request.headers.get('x-fake-fail-key') ?? `${apiKey}\n${lastUser}`;
      const served = failures.get(key) ?? 0;
      if (served < settings.failTimes) {
        if (failures.size >= maxFailureKeys) failures.delete(failures.keys().next().value);
        failures.set(key, served + 1);
        return errorResponse(failStatus);
      }
    }

    const plan = planAnswer(body, lastUser, settings.handoff);
    const stop = new AbortController();
    let finished = false;
    // Either signal means the client went away: the socket closed, or the reader cancelled the body.
    const onClientGone = () => {
      if (stop.signal.aborted) return;
      stop.abort();
      if (!finished) stats.aborted++;
    };
    request.signal?.addEventListener('abort', onClientGone, { once: true });

    const created = Math.floor(now() / 1000);
    const frames = body.stream
      ? streamFrames(body, plan, settings, created, stop.signal, stats)
      : jsonFrames(body, plan, settings, created, stop.signal);
    const stream = new ReadableStream({
      async pull(controller) {
        const next = await frames.next();
        if (stop.signal.aborted) {
          // Gone through request.signal: end the body so no reader is left waiting. After a cancel
          // the stream is already closed and close() throws, which is fine to ignore.
          try {
            controller.close();
          } catch {}
          return;
        }
        if (next.done) {
          finished = true;
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(next.value.text));
        // Finished the moment the last byte is queued: a client that stops reading after `[DONE]`
        // (as it should) has not aborted anything.
        if (next.value.last) {
          finished = true;
          stats.completed++;
          controller.close();
        }
      },
      cancel: onClientGone,
    });
    const contentType = body.stream ? 'text/event-stream; charset=utf-8' : 'application/json';
    return new Response(stream, { headers: { 'content-type': contentType, 'cache-control': 'no-cache' } });
  }

  return { fetch: handle, stats };
}

/** @returns {{status: number, message: string} | undefined} */
function validate(/** @type {unknown} */ body, /** @type {number} */ maxTokensLimit) {
  const reject = (/** @type {string} */ detail) => ({
    status: 422,
    message: `Failed to deserialize the JSON body into the target type: ${detail}`,
  });
  if (typeof body !== 'object' || body === null) return reject('expected a JSON object');
  const b = /** @type {Record<string, unknown>} */ (body);
  if (typeof b.model !== 'string' || b.model === '') return reject('missing field `model`');
  if (!Array.isArray(b.messages) || b.messages.length === 0) return reject('missing field `messages`');
  for (const m of b.messages) {
    if (!['system', 'user', 'assistant', 'tool'].includes(m?.role)) return reject('messages: unknown role');
    // An assistant turn that only called tools may have no content; a tool result names its call.
    const callsOnly = m.role === 'assistant' && Array.isArray(m.tool_calls) && m.content == null;
    if (typeof m.content !== 'string' && !callsOnly) return reject('messages: invalid message');
    if (m.role === 'tool' && typeof m.tool_call_id !== 'string')
      return reject('messages: missing field `tool_call_id`');
  }
  const tools = validateTools(b);
  if (tools) return tools;
  if (b.stream !== undefined && typeof b.stream !== 'boolean') return reject('stream: invalid type');
  const thinking = /** @type {{type?: unknown} | null | undefined} */ (b.thinking);
  if (thinking !== undefined && !['enabled', 'disabled'].includes(String(thinking?.type))) {
    return reject('thinking: unknown variant, expected `enabled` or `disabled`');
  }
  if (b.reasoning_effort !== undefined && !['low', 'high', 'max'].includes(String(b.reasoning_effort))) {
    return reject('reasoning_effort: unknown variant, expected one of `low`, `high`, `max`');
  }
  const max = b.max_tokens;
  if (max !== undefined && (!Number.isInteger(max) || Number(max) < 1 || Number(max) > maxTokensLimit)) {
    return {
      status: 400,
      message: `Invalid max_tokens value, the valid range of max_tokens is [1, ${maxTokensLimit}]`,
    };
  }
  return undefined;
}

/**
 * The tokens to send, already cut to `max_tokens` (which counts reasoning too, as DeepSeek's does);
 * a tool call is made only when the budget leaves room for it.
 */
function planAnswer(
  /** @type {CompletionBody} */ body,
  /** @type {string} */ lastUser,
  /** @type {number} */ handoffSwitch,
) {
  // Like DeepSeek's current models: thinking unless the request turns it off.
  const thinking = body.thinking?.type !== 'disabled';
  const reasoning = thinking ? tokenize(cannedReasoning(lastUser)) : [];
  const call = plannedToolCall(/** @type {Record<string, unknown>} */ (body), lastUser, handoffSwitch);
  const text = isSummaryRequest(lastUser)
    ? cannedSummary(lastUser)
    : call
      ? call.name === HANDOFF_TOOL
        ? handoffPreamble
        : ''
      : cannedAnswer(lastUser);
  const content = tokenize(text);
  const callTokens = call ? approxTokens(call.name + call.arguments) : 0;
  const budget = body.max_tokens ?? 4096;
  const sentReasoning = reasoning.slice(0, budget);
  const sentContent = content.slice(0, Math.max(0, budget - sentReasoning.length));
  const cut = sentReasoning.length + sentContent.length < reasoning.length + content.length;
  const toolCall = call && !cut && budget - sentReasoning.length - sentContent.length >= callTokens ? call : undefined;
  const finishReason = toolCall ? 'tool_calls' : cut || call ? 'length' : 'stop';
  const usage = usageFor(
    body.messages,
    sentReasoning.length + sentContent.length + (toolCall ? callTokens : 0),
    thinking ? sentReasoning.length : undefined,
  );
  return { thinking, reasoning: sentReasoning, content: sentContent, toolCall, finishReason, usage };
}

/** @typedef {ReturnType<typeof planAnswer>} Plan */
/** @typedef {{text: string, last?: boolean}} Frame one write; `last` marks the end of a complete answer */
/** @typedef {import('./handler.mjs').FakeSwitches} Switches */

/**
 * Resolves true after `ms`, false at once if `signal` aborts first.
 * @param {number} ms
 * @param {AbortSignal} signal
 */
function sleep(ms, signal) {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * While "queued", DeepSeek holds the request and sends a keep-alive every so often.
 * @param {Required<Switches>} s
 * @param {string} keepalive
 * @param {AbortSignal} signal
 * @returns {AsyncGenerator<Frame, boolean>} false when the client went away
 */
async function* queue(s, keepalive, signal) {
  const beats = Math.floor(s.firstTokenDelayMs / s.keepaliveMs);
  for (let i = 0; i < beats; i++) {
    if (!(await sleep(s.keepaliveMs, signal))) return false;
    yield { text: keepalive };
  }
  return sleep(s.firstTokenDelayMs - beats * s.keepaliveMs, signal);
}

/**
 * @param {CompletionBody} body @param {Plan} plan @param {Required<Switches>} s @param {number} created
 * @param {AbortSignal} signal @param {FakeDeepSeekStats} stats
 * @returns {AsyncGenerator<Frame, 'cut' | 'aborted' | undefined>}
 */
async function* streamFrames(body, plan, s, created, signal, stats) {
  if (!(yield* queue(s, ': keep-alive\n\n', signal))) return 'aborted';
  const id = crypto.randomUUID();
  const includeUsage = body.stream_options?.include_usage === true;
  const frame = (
    /** @type {object} */ delta,
    /** @type {string | null} */ finishReason,
    /** @type {object | null} */ usage = null,
  ) => {
    const choice = { index: 0, delta, logprobs: null, finish_reason: finishReason };
    const chunk = {
      id,
      object: 'chat.completion.chunk',
      created,
      model: body.model,
      system_fingerprint: systemFingerprint,
    };
    const withUsage = includeUsage || usage ? { ...chunk, choices: [choice], usage } : { ...chunk, choices: [choice] };
    return { text: `data: ${JSON.stringify(withUsage)}\n\n` };
  };

  yield frame(
    plan.thinking ? { role: 'assistant', content: null, reasoning_content: '' } : { role: 'assistant', content: '' },
    null,
  );
  const tokens = [
    ...plan.reasoning.map((text) => ({ content: null, reasoning_content: text })),
    ...plan.content.map((text) => (plan.thinking ? { content: text, reasoning_content: null } : { content: text })),
  ];
  for (const [i, delta] of tokens.entries()) {
    if (s.cutAfter > 0 && i >= s.cutAfter) {
      stats.cut++;
      return 'cut';
    }
    if (i > 0 && !(await sleep(s.tokenDelayMs, signal))) return 'aborted';
    yield frame(delta, null);
  }
  if (plan.toolCall) {
    // The first piece names the call; its JSON arguments follow a few characters at a time.
    const callId = `call_${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`;
    const pieces = [
      { index: 0, id: callId, type: 'function', function: { name: plan.toolCall.name, arguments: '' } },
      ...argumentPieces(plan.toolCall.arguments).map((piece) => ({ index: 0, function: { arguments: piece } })),
    ];
    for (const piece of pieces) {
      if (!(await sleep(s.tokenDelayMs, signal))) return 'aborted';
      yield frame(
        plan.thinking ? { content: null, reasoning_content: null, tool_calls: [piece] } : { tool_calls: [piece] },
        null,
      );
    }
  }
  const last = plan.thinking ? { content: '', reasoning_content: null } : { content: '' };
  yield frame(last, plan.finishReason, plan.usage);
  yield { text: 'data: [DONE]\n\n', last: true };
  return undefined;
}

/**
 * A non-stream answer: blank lines while queued (DeepSeek's keep-alive for JSON), then one object.
 * @param {CompletionBody} body @param {Plan} plan @param {Required<Switches>} s @param {number} created
 * @param {AbortSignal} signal
 * @returns {AsyncGenerator<Frame, 'aborted' | undefined>}
 */
async function* jsonFrames(body, plan, s, created, signal) {
  if (!(yield* queue(s, '\n', signal))) return 'aborted';
  const message = { role: 'assistant', content: plan.content.join('') };
  if (plan.thinking) Object.assign(message, { reasoning_content: plan.reasoning.join('') });
  if (plan.toolCall) {
    const id = `call_${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`;
    Object.assign(message, { tool_calls: [{ id, type: 'function', function: plan.toolCall }] });
  }
  const text = JSON.stringify({
    id: crypto.randomUUID(),
    object: 'chat.completion',
    created,
    model: body.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: plan.finishReason }],
    usage: plan.usage,
    system_fingerprint: systemFingerprint,
  });
  yield { text, last: true };
  return undefined;
}
