// @ts-check
// `npm run bench:writes`: how many chat turns (and messages) per second the write path sustains
// locally, for placing D1's single-writer wall on paper (DESIGN.md "Scale").
//
// Drives the FAQ-answered chat path (no model call), streamed, at CONCURRENCY levels, spread over
// several users. Each turn is recorded by src/modules/chat/record-turn.ts: today's usage upsert + FAQ
// hit counter in one D1 batch, then the new conversation + user and assistant messages in another. The `done` event is sent only once the turn is stored, so a completed stream is
// a written turn. Afterwards the server is stopped and the message rows are counted in its local D1.
// Note: every turn also pays the read side (auth row, FAQ search, usage read, two limiter calls);
// this is what a chat turn costs end to end, not a raw INSERT rate.
// Env: CONCURRENCY ("8,16"), REQUESTS (1500 per level), USERS (8).
import { stopAll } from './lib/processes.mjs';
import {
  chatIsDone,
  chatIsToken,
  createUsers,
  queryD1,
  roundRobin,
  startService,
  unthrottled,
} from './lib/service.mjs';
import { runSseLoad } from './lib/sse-load.mjs';

const levels = (process.env.CONCURRENCY ?? '8,16').split(',').map(Number);
const requests = Number(process.env.REQUESTS ?? 1500);
const userCount = Number(process.env.USERS ?? 8);
const message = 'What are your delivery hours?';

/** @type {import('./lib/service.mjs').Service | undefined} */
let service;
try {
  service = await startService({ vars: unthrottled, label: 'writes' });
  const users = await createUsers(service.base, userCount);
  const base = service.base;
  const load = (/** @type {number} */ concurrency, /** @type {number} */ count) =>
    runSseLoad({
      url: `${base}/api/v1/chat`,
      body: { message },
      concurrency,
      requests: count,
      headersFor: roundRobin(users),
      isToken: chatIsToken,
      isDone: chatIsDone,
    });

  let turns = 0;
  const warm = await load(8, 100);
  turns += warm.ok;
  /** @type {Record<string, Record<string, number | string>>} */
  const table = {};
  for (const concurrency of levels) {
    const r = await load(concurrency, requests);
    turns += r.ok;
    table[`c=${concurrency}`] = {
      turns: r.ok,
      failed: r.failed,
      'turns/s': r.reqPerSec,
      'messages/s': Math.round(r.reqPerSec * 2 * 10) / 10,
      'turn p50 ms': r.totalMs.p50,
      'turn p99 ms': r.totalMs.p99,
    };
  }

  await service.stopServer();
  const [counts] = await queryD1(
    service,
    'SELECT (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM conversations) AS conversations, (SELECT coalesce(sum(chats), 0) FROM usage_daily) AS chats, (SELECT coalesce(sum(faq_answers), 0) FROM usage_daily) AS faq_answers',
  );

  console.log(
    `\nFAQ-answered chat turns (streamed, no model), ${users.length} users, fresh conversation per turn; ` +
      `wrangler dev, local D1 (SQLite); ${requests} turns per level after 100 warm-up`,
  );
  console.table(table);
  console.log(`completed turns (incl. warm-up): ${turns}; expected message rows: ${turns * 2}`);
  console.log('rows found in local D1 after stopping the server:', counts);
} finally {
  await service?.stop();
  await stopAll();
}
