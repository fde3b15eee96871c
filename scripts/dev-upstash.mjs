// `npm run dev:upstash`: `npm run dev` with rate limits on Upstash's protocol instead of the
// Durable Object — a throwaway redis-server plus the local bridge (scripts/upstash-bridge.mjs),
// passed to wrangler dev as --var overrides. Needs redis-server (apt-get install redis-server).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startRedis } from './lib/redis.mjs';
import { root } from './lib/run.mjs';
import { createBridge } from './upstash-bridge.mjs';

const redis = await startRedis();
const token = randomBytes(16).toString('hex');
const bridge = createBridge({ redisPort: redis.port, token });
const url = await bridge.listen();
console.log(`Rate limits: Upstash bridge ${url} -> redis-server 127.0.0.1:${redis.port} (data is thrown away on exit)`);

const dev = spawn(
  process.execPath,
  [
    path.join(root, 'scripts', 'dev.mjs'),
    '--var',
    `UPSTASH_REDIS_REST_URL:${url}`,
    '--var',
    `UPSTASH_REDIS_REST_TOKEN:${token}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);

async function shutdown(code) {
  await bridge.close();
  await redis.stop();
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => dev.kill(signal));
dev.on('exit', (code) => shutdown(code ?? 0));
