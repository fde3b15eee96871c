import { getConfig } from '../../config';
import { createDb } from '../../db/client';
import { errorDetail } from '../../lib/error-detail';
import { log } from '../../lib/logger';
import { purgeExpired } from './retention.service';

/** The Cron Trigger's handler: one purge, one log line with what it deleted (or why it failed). */
export async function runRetention(env: Env, scheduledTime: number): Promise<void> {
  const started = Date.now();
  try {
    const counts = await purgeExpired(createDb(env.DB), getConfig(env), scheduledTime);
    log('info', 'retention run', { ...counts, durationMs: Date.now() - started });
  } catch (error) {
    log('error', 'retention run failed', { durationMs: Date.now() - started, ...errorDetail(error) });
    throw error;
  }
}
