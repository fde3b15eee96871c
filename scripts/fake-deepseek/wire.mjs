// @ts-check
// DeepSeek's wire format, as the fake speaks it: error bodies, chunk and completion objects, usage,
// and the deterministic canned text. Plain ESM so Node 20 runs it without a build and workerd
// (tests) imports it unchanged; only web-standard globals are used.

/**
 * DeepSeek's error envelope for each status it documents. 402 is verbatim from the API; the others
 * use the same envelope with the wording of DeepSeek's error-code table.
 * @type {Record<number, {message: string, type: string}>}
 */
const errorBodies = {
  400: { message: 'Invalid request body format.', type: 'invalid_request_error' },
  401: { message: 'Authentication Fails, Your api key: ****-key is invalid', type: 'authentication_error' },
  402: { message: 'Insufficient Balance', type: 'unknown_error' },
  422: { message: 'Invalid parameters in the request.', type: 'invalid_request_error' },
  429: { message: 'Rate Limit Reached', type: 'rate_limit_error' },
  500: { message: 'Server Error', type: 'api_error' },
  503: { message: 'Server Overloaded', type: 'api_error' },
};

/** Statuses the fake can be told to answer with. */
export const fakeErrorStatuses = Object.keys(errorBodies).map(Number);

/**
 * @param {number} status
 * @param {string} [message] overrides the default wording (e.g. a validation detail)
 */
export function errorResponse(status, message) {
  const known = errorBodies[status] ?? { message: 'Unknown Error', type: 'unknown_error' };
  const body = {
    error: { message: message ?? known.message, type: known.type, param: null, code: 'invalid_request_error' },
  };
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

export const cannedNotice =
  'This is a canned answer from the local fake DeepSeek; set DEEPSEEK_API_KEY for real answers.';

const magicPhrase = /\[fake:[a-z-]+=\d+\]/g;

/** The first words of the user's message, without switches, for echoing back. */
function topicOf(/** @type {string} */ message) {
  // Our Worker fences the customer's words in <customer>; echo the words, not the fence.
  const clean = message
    .replace(/<\/?customer>/g, ' ')
    .replace(magicPhrase, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > 60 ? `${clean.slice(0, 60)}…` : clean;
}

/**
 * Word-sized tokens whose concatenation is exactly the text, each with its leading space as real
 * tokenizers produce them.
 * @param {string} text
 */
export function tokenize(text) {
  return text.match(/\s*\S+/g) ?? [];
}

/** @param {string} lastUserMessage */
export function cannedAnswer(lastUserMessage) {
  return `Thanks for your message about "${topicOf(lastUserMessage)}". ${cannedNotice}`;
}

/**
 * A request whose last user message holds a `<transcript>` asks for an operator's summary; the fake
 * names the first thing the customer wrote and how many messages they sent.
 * @param {string} lastUserMessage
 */
export function isSummaryRequest(lastUserMessage) {
  return lastUserMessage.includes('<transcript>');
}

/** @param {string} lastUserMessage */
export function cannedSummary(lastUserMessage) {
  const said = [...lastUserMessage.matchAll(/<customer>([\s\S]*?)<\/customer>/g)].map((m) => m[1] ?? '');
  const first = topicOf(said[0] ?? '');
  return `The customer wrote ${said.length} message${said.length === 1 ? '' : 's'}, starting with "${first}", and wants a person. (Canned summary from the local fake DeepSeek.)`;
}

/** @param {string} lastUserMessage */
export function cannedReasoning(lastUserMessage) {
  return `The user wrote about "${topicOf(lastUserMessage)}". No model is connected, so I will give the canned answer.`;
}

/**
 * Tokens as DeepSeek's documentation puts it: about 0.3 per English character and 0.6 per Chinese
 * character (any non-ASCII character here). Four characters per token would undercount CJK twofold.
 * @param {string} text
 */
export function approxTokens(text) {
  let ascii = 0;
  let other = 0;
  for (const char of text) {
    if ((char.codePointAt(0) ?? 0) < 0x80) ascii++;
    else other++;
  }
  return Math.max(1, Math.ceil(ascii * 0.3 + other * 0.6));
}

/**
 * DeepSeek's usage object. The conversation before the last message is what its context cache
 * would hold, counted in the 64-token units DeepSeek caches by, so repeat turns show cache hits.
 * @param {{content: string | null}[]} messages
 * @param {number} completionTokens
 * @param {number | undefined} reasoningTokens set for thinking models
 */
export function usageFor(messages, completionTokens, reasoningTokens) {
  const perMessage = messages.map((m) => approxTokens(m.content ?? '') + 4);
  const promptTokens = perMessage.reduce((a, b) => a + b, 0);
  const prefix = perMessage.slice(0, -1).reduce((a, b) => a + b, 0);
  const hit = Math.floor(prefix / 64) * 64;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: hit },
    ...(reasoningTokens === undefined ? {} : { completion_tokens_details: { reasoning_tokens: reasoningTokens } }),
    prompt_cache_hit_tokens: hit,
    prompt_cache_miss_tokens: promptTokens - hit,
  };
}

export const systemFingerprint = 'fp_fake0deepseek_prod0000';
