import { createRouter } from '../../lib/create-router';
import { dbOf } from '../../lib/db-context';
import { stats } from './admin.routes';
import { userStats } from './admin.service';
import { chatStats } from './chat-stats.service';

export const adminRouter = createRouter().openapi(stats, async (c) => {
  const db = dbOf(c);
  const [users, chat] = await Promise.all([userStats(db), chatStats(db)]);
  return c.json({ users, chat }, 200);
});
