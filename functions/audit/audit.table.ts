import type { ColumnType, Generated } from 'kysely';

export const AUDIT_ACTIONS = ['create', 'read', 'list', 'update', 'delete', 'read_billing'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export type AuditOutcome = 'success' | 'not_found' | 'conflict' | 'precondition_failed' | 'error';

export interface AuditEventTable {
  id: Generated<number>;
  occurred_at: ColumnType<Date, never, never>;
  actor_sub: string;
  action: AuditAction;
  patient_id: string | null;
  outcome: AuditOutcome;
  request_id: string;
}

export interface AuditEntry {
  actor: string;
  action: AuditAction;
  patientId: string | null;
  outcome: AuditOutcome;
  requestId: string;
}
