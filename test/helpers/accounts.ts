import { env } from 'cloudflare:workers';
import { userGateFor } from '../../src/modules/users/user-gate';

/**
 * Changes a user row behind the API's back (as the admin CLI or a SQL console would). The user's gate
 * is told only when `tellGate` is set; otherwise it learns of the change when its copy ages out.
 */
export async function changeAccountInD1(userId: string, sql: string, { tellGate }: { tellGate: boolean }) {
  await env.DB.prepare(sql).bind(userId).run();
  if (tellGate) await userGateFor(env.USER_GATE, userId).accountChanged();
}
