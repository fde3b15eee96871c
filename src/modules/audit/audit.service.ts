import type { Db } from '../../db/client';
import { type AuditEvent, auditEvents } from '../../db/schema';
import { log } from '../../lib/logger';

export type AuditAction =
  | 'register'
  | 'register_duplicate'
  | 'login'
  | 'lockout'
  | 'refresh_reuse'
  | 'logout'
  | 'session_end'
  | 'password_change'
  | 'role_change'
  | 'status_change'
  | 'unlock'
  | 'user_delete'
  | 'password_rehash'
  | 'email_verification_sent'
  | 'email_verify'
  | 'password_reset_request'
  | 'password_reset'
  | 'signin_link_sent'
  | 'signin_link'
  | 'mfa_setup'
  | 'mfa_enable'
  | 'mfa_verify'
  | 'mfa_disable'
  | 'mfa_backup_codes'
  | 'mfa_reset'
  | 'unverified_purge'
  | 'api_key_create'
  | 'api_key_update'
  | 'api_key_rotate'
  | 'api_key_revoke'
  | 'api_key_expired_use'
  | 'api_key_refused'
  | 'conversation_read'
  | 'inbox_read'
  | 'handoff_request'
  | 'handoff_claim'
  | 'handoff_release'
  | 'handoff_resolve';

export type AuditInput = Omit<AuditEvent, 'id' | 'createdAt' | 'action'> & { action: AuditAction; requestId?: string };

/**
 * Records a security event in D1 and as a log line. Callers pass ids, never emails, tokens or
 * passwords; `detail` holds small flags and figures only.
 */
export async function audit(db: Db, event: AuditInput): Promise<void> {
  await auditStatement(db, event);
}

/** The same, as a statement to batch with the change it records (one D1 round trip for both). */
export function auditStatement(db: Db, event: AuditInput) {
  const { requestId, ...row } = event;
  log(row.outcome === 'success' ? 'info' : 'warn', 'audit', {
    requestId,
    action: row.action,
    outcome: row.outcome,
    actorId: row.actorId,
    targetId: row.targetId,
    detail: row.detail,
  });
  return db.insert(auditEvents).values(row);
}
