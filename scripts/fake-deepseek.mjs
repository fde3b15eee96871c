// @ts-check
// `npm run fake-deepseek`: the fake DeepSeek on 127.0.0.1:$FAKE_DEEPSEEK_PORT (default 8788) for
// benchmarks or a hand-run dev setup. Answers are canned, never a model's.
// FAKE_DEEPSEEK_TOKEN_DELAY_MS (default 25), FAKE_DEEPSEEK_FIRST_TOKEN_DELAY_MS and
// FAKE_DEEPSEEK_KEEPALIVE_MS set server-wide defaults; requests can still override them.
import { startFakeDeepSeek } from './lib/fake-deepseek-server.mjs';

const server = await startFakeDeepSeek();
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
