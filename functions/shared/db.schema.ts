/** The database as the functions see it: one interface per table, composed here. */
import type { Generated } from 'kysely';
import type { RefreshTokenTable, UserTable, LoginFailureTable } from '../auth/auth.tables.js';
import type { PatientIdentifierTable, PatientMergeTable, PatientNameWordTable, PatientTable, PatientVersionTable } from '../patients/patient.table.js';
import type { PatientDuplicateDecisionTable, PatientDuplicateTable } from '../patients/patient-duplicate.table.js';
import type { AuditEventTable } from '../audit/audit.table.js';
import type { OutboxTable } from '../outbox/outbox.table.js';
import type { AnalyticsTables } from '../analytics/analytics.tables.js';

export interface Database extends AnalyticsTables {
  users: UserTable;
  refresh_tokens: RefreshTokenTable;
  login_failures: LoginFailureTable;
  patients: PatientTable;
  patient_identifiers: PatientIdentifierTable;
  patient_versions: PatientVersionTable;
  patient_name_words: PatientNameWordTable;
  patient_merges: PatientMergeTable;
  patient_duplicates: PatientDuplicateTable;
  patient_duplicate_decisions: PatientDuplicateDecisionTable;
  audit_events: AuditEventTable;
  outbox: OutboxTable;
}

export type { Generated };
