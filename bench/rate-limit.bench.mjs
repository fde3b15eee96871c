// `npm run bench:ratelimit`: latency each rate-limit backend adds to a request, measured under
// `wrangler dev` on 127.0.0.1 against GET /api/v1/health. Prints figures; asserts nothing.
//
//   none            limiting switched off (RATE_LIMIT_BACKEND=none, refused in production): the baseline
//   durable-object  the zero-setup default
//   upstash         @upstash/ratelimit through the local bridge to redis-server (no WAN latency:
//                   real Upstash adds your region's round trip on top)
//
// The per-IP limit is raised so nothing is throttled; client IPs rotate via CF-Connecting-IP.
// REQUESTS=3000 WARMUP=300 to change the sample size.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { freePort, startRedis } from '../scripts/lib/redis.mjs';
import { root } from '../scripts/lib/run.mjs';
import { createBridge } from '../scripts/upstash-bridge.mjs';

const requests = Number(process.env.REQUESTS ?? 3000);
const warmup = Number(process.env.WARMUP ?? 300);
const clients = 256;

async function startWorker(vars) {
  const port = await freePort();
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error'];
  for (const [key, value] of Object.entries({ RATE_LIMIT_IP: '1000000000/1m', LOG_LEVEL: 'error', ...vars })) {
    args.push('--var', `${key}:${value}`);
  }
  const child = spawn(path.join(root, 'node_modules', '.bin', 'wrangler'), args, {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    stdio: 'ignore',
    detached: true,
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/api/v1/health`)).ok) break;
    } catch {}
    if (i === 299) throw new Error('wrangler dev did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // The whole process group: wrangler and the workerd it started.
  return { base, stop: () => process.kill(-child.pid, 'SIGTERM') };
}

async function measure(base) {
  const once = async (i) => {
    const headers = { 'CF-Connecting-IP': `10.9.${Math.floor((i % clients) / 256)}.${i % 256}` };
    const started = performance.now();
    const res = await fetch(`${base}/api/v1/health`, { headers });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`unexpected ${res.status}`);
    return performance.now() - started;
  };
  for (let i = 0; i < warmup; i++) await once(i);
  const times = [];
  const started = performance.now();
  for (let i = 0; i < requests; i++) times.push(await once(i));
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { p50: at(0.5), p99: at(0.99), rps: requests / seconds };
}

const redis = await startRedis();
const token = randomBytes(16).toString('hex');
const bridge = createBridge({ redisPort: redis.port, token });
const url = await bridge.listen();
const modes = [
  ['none', { RATE_LIMIT_BACKEND: 'none' }],
  ['durable-object', { RATE_LIMIT_BACKEND: 'durable-object' }],
  ['upstash', { RATE_LIMIT_BACKEND: 'upstash', UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token }],
];
const results = [];
try {
  for (const [name, vars] of modes) {
    const worker = await startWorker(vars);
    try {
      results.push({ name, ...(await measure(worker.base)) });
    } finally {
      worker.stop();
    }
  }
} finally {
  await bridge.close();
  await redis.stop();
}

const baseline = results[0];
const ms = (n) => n.toFixed(2).padStart(8);
console.log(`\nGET /api/v1/health under wrangler dev, ${requests} sequential requests after ${warmup} warm-up`);
console.log(
  `${'backend'.padEnd(16)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'+p50'.padStart(8)}${'+p99'.padStart(8)}${'req/s'.padStart(8)}`,
);
for (const r of results) {
  console.log(
    `${r.name.padEnd(16)}${ms(r.p50)}${ms(r.p99)}${ms(r.p50 - baseline.p50)}${ms(r.p99 - baseline.p99)}${r.rps.toFixed(0).padStart(8)}`,
  );
}
