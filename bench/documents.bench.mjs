// @ts-check
// `npm run bench:documents`: what knowledge documents cost.
//   1. Processing: a 1 MB and a 10 MB PDF and a 5 MB Markdown file, each uploaded through the API and
//      polled until `ready`: upload time, time to ready (upload start → the consumer's processedAt), CPU per MB
//      (user + system CPU of the wrangler/workerd process group from upload start to ready ÷ MB; under
//      wrangler dev this includes the dev runtime's own processes, so read it as an upper bound), and
//      chunks per second (chunks ÷ (processedAt − createdAt): queue delivery, extraction, chunking, indexing).
//   2. Chat TTFT p50 (time to the first answer text, c=1) with no documents, then with 1,000 published
//      documents of 20 KB indexed (uploaded through the API, processed by the queue). Target (issue): at
//      most 3 ms added. The message matches many chunks, so the FTS query does real ranking work; a search
//      slower than DOCUMENT_SEARCH_GRACE_MS past the turn's other lookups is left behind, so the run also
//      counts how many answers the documents still grounded.
// Figures only: nothing is asserted. Env: REQUESTS (100), WARMUP (20), DOCS (1000), UPLOAD_CONCURRENCY (8).
import { randomBytes } from 'node:crypto';
import { makePdf } from '../scripts/lib/make-pdf.mjs';
import { groupCpuMs, stopAll } from './lib/processes.mjs';
import {
  chatIsDone,
  chatIsToken,
  createUsers,
  login,
  queryD1,
  startService,
  unthrottled,
  userHeaders,
} from './lib/service.mjs';
import { runSseLoad } from './lib/sse-load.mjs';

const num = (/** @type {string} */ name, /** @type {number} */ fallback) => Number(process.env[name] ?? fallback);
const requests = num('REQUESTS', 100);
const warmup = num('WARMUP', 20);
const docCount = num('DOCS', 1000);
const uploadConcurrency = num('UPLOAD_CONCURRENCY', 8);
const message = 'Tell me about the courier delivery and refund policy for frozen baskets';

const WORDS = (
  'delivery refund order basket policy warehouse courier invoice account voucher fresh frozen return within days ' +
  'customer support the and for with our apples pears tasting box membership weekend express parcel locker'
).split(' ');

/**
 * Deterministic English-like text of about `chars` characters, in paragraphs under Markdown headings.
 * @param {number} chars @param {number} seed
 */
function prose(chars, seed) {
  let state = seed;
  const word = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return WORDS[state % WORDS.length];
  };
  const out = [];
  let size = 0;
  let section = 0;
  while (size < chars) {
    const heading = `## Section ${++section}`;
    const paragraph = `${Array.from({ length: 120 }, word).join(' ')}.`;
    out.push(heading, '', paragraph, '');
    size += heading.length + paragraph.length + 3;
  }
  return out.join('\n');
}

/** A PDF of at most about `bytes` bytes of text pages (~25 KB each). @param {number} bytes */
function pdfOfSize(bytes) {
  const lineFor = (/** @type {number} */ p, /** @type {number} */ i) =>
    `${p}.${i} ${WORDS[(p * 7 + i) % WORDS.length]} ${WORDS[(p + i * 3) % WORDS.length]} ` +
    'the courier brings fresh and frozen baskets within two days of the order, refunds within five.';
  const make = (/** @type {number} */ pages) =>
    makePdf({ pages: Array.from({ length: pages }, (_, p) => Array.from({ length: 200 }, (_, i) => lineFor(p, i))) });
  const perPage = make(10).length / 10;
  return make(Math.max(1, Math.floor(bytes / perPage)));
}

const MB = 1_000_000;

/**
 * Retries a request the service answered 503 (a limiter or admission object busy on a loaded machine).
 * @param {() => Promise<Response>} send
 */
async function retryBusy(send) {
  for (let attempt = 1; ; attempt++) {
    const res = await send();
    if (res.status !== 503 || attempt === 5) return res;
    await res.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
  }
}

/** @type {import('./lib/service.mjs').Service | undefined} */
let service;

/**
 * A fresh service (its own local D1, R2 and queue) with an editor and a customer. Each processing
 * sample gets its own: under wrangler dev a long queue invocation can hold up what follows it.
 */
async function freshService() {
  await service?.stop();
  service = await startService({
    label: 'documents',
    vars: {
      ...unthrottled,
      RATE_LIMIT_DOCUMENT_UPLOAD: '1000000000/1m',
      CHAT_DAILY_MESSAGES: 'viewer:0,user:1000000,moderator:1000000,admin:1000000',
      DOCUMENT_MAX_PAGES: '10000',
      DOCUMENT_MAX_TEXT_CHARS: '20000000',
      DOCUMENT_STORAGE_QUOTA_BYTES: String(8 * 1024 * 1024 * 1024),
    },
  });
  const current = service;
  const { base } = current;
  const [customer, editorUser] = await createUsers(base, 2);
  if (!customer || !editorUser) throw new Error('no users');
  await queryD1(current, `UPDATE users SET role = 'moderator' WHERE email = '${editorUser.email}'`);
  const editor = { ...editorUser, token: await login(base, editorUser.email, editorUser.password, editorUser.ip) };
  const editorHeaders = userHeaders(editor);

  /** @param {string} name @param {string} type @param {Uint8Array} bytes */
  async function upload(name, type, bytes) {
    const res = await retryBusy(() => {
      const form = new FormData();
      form.append('file', new Blob([bytes], { type }), name);
      return fetch(`${base}/api/v1/documents`, { method: 'POST', headers: editorHeaders, body: form });
    });
    const body = /** @type {{ document?: { id: string } }} */ (await res.json());
    if (res.status !== 202 || !body.document) throw new Error(`upload ${name}: ${res.status} ${JSON.stringify(body)}`);
    return body.document.id;
  }
  /**
   * Polls until the consumer has decided. Each poll has its own timeout: under wrangler dev a poll sent
   * while a long queue invocation runs can stall on its connection for minutes (seen with the 10 MB PDF).
   * @param {string} id
   */
  async function settled(id, timeoutMs = 600_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const res = await fetch(`${base}/api/v1/documents/${id}`, {
          headers: editorHeaders,
          signal: AbortSignal.timeout(5_000),
        });
        const { document } =
          /** @type {{ document: { status: string, chunkCount: number, createdAt: string, processedAt: string, failureReason: string | null } }} */ (
            await res.json()
          );
        if (document.status !== 'pending') return document;
      } catch (error) {
        if (!(error instanceof Error && error.name === 'TimeoutError')) throw error;
      }
      if (Date.now() > deadline) throw new Error(`document ${id} still pending`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  return { current, base, customer, editorHeaders, upload, settled };
}

try {
  console.log('bench:documents — processing (wrangler dev, local R2/Queues/D1; a fresh service per file)');
  console.log('file              size     upload   to ready   CPU ms/MB   chunks   chunks/s');
  const samples = [
    { label: 'PDF 1 MB', name: 'one.pdf', type: 'application/pdf', bytes: pdfOfSize(1 * MB) },
    { label: 'PDF 10 MB', name: 'ten.pdf', type: 'application/pdf', bytes: pdfOfSize(10 * MB) },
    {
      label: 'Markdown 5 MB',
      name: 'five.md',
      type: 'text/markdown',
      bytes: new TextEncoder().encode(prose(5 * MB, 7)),
    },
  ];
  for (const sample of samples) {
    const { current, upload, settled } = await freshService();
    const cpuBefore = groupCpuMs(current.pid, { exclude: [current.pid] }).ms;
    const started = performance.now();
    const startedAt = Date.now();
    const id = await upload(sample.name, sample.type, sample.bytes);
    const uploadMs = performance.now() - started;
    const doc = await settled(id);
    // From the upload's start to the consumer's commit (server clock, same machine), not to a poll's return.
    const readyMs = Date.parse(doc.processedAt) - startedAt;
    const cpuMs = groupCpuMs(current.pid, { exclude: [current.pid] }).ms - cpuBefore;
    if (doc.status !== 'ready') throw new Error(`${sample.label}: ${doc.status} (${doc.failureReason})`);
    const mb = sample.bytes.length / MB;
    const processingS = (Date.parse(doc.processedAt) - Date.parse(doc.createdAt)) / 1000;
    console.log(
      `${sample.label.padEnd(16)} ${`${mb.toFixed(1)} MB`.padStart(7)} ${`${uploadMs.toFixed(0)} ms`.padStart(8)} ` +
        `${`${(readyMs / 1000).toFixed(2)} s`.padStart(10)} ${(cpuMs / mb).toFixed(0).padStart(11)} ` +
        `${String(doc.chunkCount).padStart(8)} ${(doc.chunkCount / processingS).toFixed(0).padStart(10)}`,
    );
  }

  const { base, customer, editorHeaders, upload, settled } = await freshService();

  const chatLoad = async () => {
    const options = {
      url: `${base}/api/v1/chat`,
      body: { message },
      headers: { ...userHeaders(customer), 'content-type': 'application/json' },
      concurrency: 1,
      isToken: chatIsToken,
      isDone: chatIsDone,
    };
    await runSseLoad({ ...options, requests: warmup });
    return runSseLoad({ ...options, requests });
  };

  const none = await chatLoad();

  console.log(
    `\nindexing ${docCount} published Markdown documents of 20 KB (upload concurrency ${uploadConcurrency})…`,
  );
  const indexStarted = performance.now();
  /** @type {string[]} */
  const ids = [];
  let next = 0;
  const seed = randomBytes(2).readUInt16BE(0);
  await Promise.all(
    Array.from({ length: uploadConcurrency }, async () => {
      while (next < docCount) {
        const i = next++;
        const id = await upload(`doc-${i}.md`, 'text/markdown', new TextEncoder().encode(prose(20_000, seed + i)));
        const res = await retryBusy(() =>
          fetch(`${base}/api/v1/documents/${id}`, {
            method: 'PATCH',
            headers: { ...editorHeaders, 'content-type': 'application/json' },
            body: JSON.stringify({ published: true }),
          }),
        );
        if (res.status !== 200) throw new Error(`publish: ${res.status}`);
        ids.push(id);
      }
    }),
  );
  let chunks = 0;
  for (const id of ids) chunks += (await settled(id)).chunkCount;
  console.log(
    `indexed ${ids.length} documents, ${chunks} chunks, in ${((performance.now() - indexStarted) / 1000).toFixed(1)} s`,
  );

  const indexed = await chatLoad();
  // How many answers the documents still ground at this size, within DOCUMENT_SEARCH_GRACE_MS.
  let grounded = 0;
  const probes = 20;
  for (let i = 0; i < probes; i++) {
    const res = await fetch(`${base}/api/v1/chat`, {
      method: 'POST',
      headers: { ...userHeaders(customer), 'content-type': 'application/json' },
      body: JSON.stringify({ message, stream: false }),
    });
    const body = /** @type {{ sources?: unknown[] }} */ (await res.json());
    if (body.sources?.length) grounded++;
  }
  console.log(`\nchat TTFT, c=1, ${requests} requests after ${warmup} warm-up (message matches many chunks)`);
  console.log('documents      TTFT p50   TTFT p99   total p50   ok');
  for (const [label, r] of /** @type {const} */ ([
    ['none', none],
    [`${docCount} × 20 KB`, indexed],
  ])) {
    console.log(
      `${label.padEnd(14)} ${`${r.ttftMs.p50.toFixed(1)} ms`.padStart(9)} ${`${r.ttftMs.p99.toFixed(1)} ms`.padStart(10)} ` +
        `${`${r.totalMs.p50.toFixed(1)} ms`.padStart(11)} ${String(r.ok).padStart(4)}/${r.requests}`,
    );
  }
  console.log(`added TTFT p50: ${(indexed.ttftMs.p50 - none.ttftMs.p50).toFixed(1)} ms (target ≤ 3 ms)`);
  console.log(`answers grounded on documents (stream:false probes): ${grounded}/${probes}`);
} finally {
  await service?.stop();
  await stopAll();
}
