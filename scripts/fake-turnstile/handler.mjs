// @ts-check
// A fake of Cloudflare Turnstile's siteverify that answers the way the real one does for Cloudflare's
// documented test keys (https://developers.cloudflare.com/turnstile/troubleshooting/testing/):
//   secret 1x0000000000000000000000000000000AA passes the dummy token XXXX.DUMMY.TOKEN.XXXX,
//   secret 2x0000000000000000000000000000000AA fails every token,
//   secret 3x0000000000000000000000000000000AA answers "token already spent" (timeout-or-duplicate);
// any other secret is an unknown one (invalid-input-secret), like a production secret would be here.
// Test keys report hostname "example.com". Used by `npm run dev` and, at the network boundary, by tests.

export const DUMMY_TOKEN = 'XXXX.DUMMY.TOKEN.XXXX';
export const TEST_SECRETS = {
  pass: '1x0000000000000000000000000000000AA',
  fail: '2x0000000000000000000000000000000AA',
  spent: '3x0000000000000000000000000000000AA',
};

/**
 * @param {{ hostname?: string, action?: string }} [options]
 */
export function createFakeTurnstile(options = {}) {
  const hostname = options.hostname ?? 'example.com';
  const action = options.action ?? '';
  /** @type {{ secret: string, response: string, remoteip?: string, idempotency_key?: string }[]} */
  const calls = [];
  /** @type {number[]} statuses to answer with before behaving, one per call */
  const failures = [];
  /** @type {Map<string, Record<string, unknown>>} */
  const byIdempotencyKey = new Map();

  /** @param {Request} request */
  async function fetch(request) {
    const url = new URL(request.url);
    if (request.method !== 'POST' || !url.pathname.endsWith('/turnstile/v0/siteverify')) {
      return new Response('Not Found', { status: 404 });
    }
    const params = await readParams(request);
    calls.push(params);
    const status = failures.shift();
    if (status !== undefined) return json({ success: false, 'error-codes': ['internal-error'] }, status);
    const key = params.idempotency_key ? `${params.idempotency_key}|${params.response}` : undefined;
    const remembered = key ? byIdempotencyKey.get(key) : undefined;
    if (remembered) return json(remembered);
    const body = decide(params);
    if (key) byIdempotencyKey.set(key, body);
    return json(body);
  }

  /** @param {{ secret: string, response: string }} params */
  function decide({ secret, response }) {
    const refuse = (/** @type {string} */ code) => ({ success: false, 'error-codes': [code], messages: [] });
    if (!secret) return refuse('missing-input-secret');
    if (!response) return refuse('missing-input-response');
    if (response.length > 2048) return refuse('invalid-input-response');
    if (secret === TEST_SECRETS.fail) return refuse('invalid-input-response');
    if (secret === TEST_SECRETS.spent) return refuse('timeout-or-duplicate');
    if (secret !== TEST_SECRETS.pass) return refuse('invalid-input-secret');
    if (response !== DUMMY_TOKEN) return refuse('invalid-input-response');
    return {
      success: true,
      'error-codes': [],
      challenge_ts: new Date().toISOString(),
      hostname,
      action,
      cdata: '',
      metadata: { result_with_testing_key: true },
      messages: [],
    };
  }

  return {
    fetch,
    calls,
    /** The next `count` calls answer `status` with internal-error (siteverify having a bad moment). */
    failNext(count = 1, status = 500) {
      for (let i = 0; i < count; i++) failures.push(status);
    },
  };
}

/** siteverify takes JSON or a form body. @param {Request} request */
async function readParams(request) {
  const type = request.headers.get('Content-Type') ?? '';
  /** @type {Record<string, string>} */
  let raw = {};
  if (type.includes('application/json')) {
    try {
      raw = /** @type {Record<string, string>} */ (await request.json());
    } catch {
      raw = {};
    }
  } else {
    raw = Object.fromEntries(new URLSearchParams(await request.text()));
  }
  return {
    secret: String(raw.secret ?? ''),
    response: String(raw.response ?? ''),
    ...(raw.remoteip ? { remoteip: String(raw.remoteip) } : {}),
    ...(raw.idempotency_key ? { idempotency_key: String(raw.idempotency_key) } : {}),
  };
}

/** @param {unknown} body @param {number} [status] */
const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
