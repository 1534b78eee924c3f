import type { ColumnType, Generated } from 'kysely';

export const AUDIT_ACTIONS = ['create', 'read', 'list', 'update', 'delete', 'read_billing', 'merge', 'unmerge', 'decide_duplicate'] as const;
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
  /** What a merge took from which record (field names and record ids only, never values); null otherwise. */
  details: ColumnType<Record<string, unknown> | null, string | null | undefined, never>;
}

export interface AuditEntry {
  actor: string;
  action: AuditAction;
  patientId: string | null;
  outcome: AuditOutcome;
  requestId: string;
  details?: Record<string, unknown>;
}
