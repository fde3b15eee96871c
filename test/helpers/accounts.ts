import { env } from 'cloudflare:workers';
import { admissionOf } from '../../src/modules/admission/admission.client';

/**
 * Changes a user row behind the API's back (as the admin CLI or a SQL console would). The user's
 * admission object is told only when `tell` is set; otherwise it learns of the change when its copy ages out.
 */
export async function changeAccountInD1(userId: string, sql: string, { tell }: { tell: boolean }) {
  await env.DB.prepare(sql).bind(userId).run();
  if (tell) await admissionOf(env.ADMISSION, userId).accountChanged();
}
