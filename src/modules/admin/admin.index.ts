import { createRouter } from '../../lib/create-router';
import { dbOf } from '../../lib/db-context';
import { stats } from './admin.routes';
import { userStats } from './admin.service';
import { chatStats, STATS_DAYS } from './chat-stats.service';
import { handoffStats } from './handoff-stats.service';

export const adminRouter = createRouter().openapi(stats, async (c) => {
  const db = dbOf(c);
  const [users, chat, handoffDays] = await Promise.all([userStats(db), chatStats(db), handoffStats(db, STATS_DAYS)]);
  return c.json({ users, chat, handoffs: { byDay: handoffDays } }, 200);
});
