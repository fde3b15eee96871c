// Node side of `npm run test:upstash`: a throwaway redis-server and the Upstash bridge in front of
// it, handed to the workerd tests through `provide`/`inject` (see vitest.upstash.config.ts).
import { randomBytes } from 'node:crypto';
import { freePort, startRedis } from '../../scripts/lib/redis.mjs';
import { createBridge } from '../../scripts/upstash-bridge.mjs';

export default async function setup(project) {
  const redis = await startRedis();
  const token = randomBytes(16).toString('hex');
  const bridge = createBridge({ redisPort: redis.port, token });
  const url = await bridge.listen();
  project.provide('upstashUrl', url);
  project.provide('upstashToken', token);
  // Nothing listens here: the "Upstash unreachable" tests get a real connection refusal.
  project.provide('upstashDeadUrl', `http://127.0.0.1:${await freePort()}`);
  return async () => {
    await bridge.close();
    await redis.stop();
  };
}
