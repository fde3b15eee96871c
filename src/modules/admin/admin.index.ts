import { createRouter } from '../../lib/create-router';
import { dbOf } from '../../lib/db-context';
import { stats } from './admin.routes';
import { userStats } from './admin.service';

export const adminRouter = createRouter().openapi(stats, async (c) => c.json({ users: await userStats(dbOf(c)) }, 200));
