import type { AuditEvent } from './audit-event.entity';

/** An audit row as the admin API and `ozvpsctl audit --json` show it (field names are a contract). */
export interface AuditEventView {
  id: number;
  at: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  reason: string | null;
}

export function toAuditEventView(a: AuditEvent): AuditEventView {
  return {
    id: a.id,
    at: a.createdAt.toISOString(),
    actor: a.actor,
    action: a.action,
    targetType: a.targetType,
    targetId: a.targetId,
    before: a.before,
    after: a.after,
    reason: a.reason,
  };
}
