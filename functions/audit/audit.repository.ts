/** The audit trail of patient data access. Writes take the caller's transaction so a change and its record commit together. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../shared/db.schema.js';
import type { AuditEntry } from './audit.table.js';

type Db = Kysely<Database> | Transaction<Database>;

/** The audit_events rows of entries, for an insert of their own or one within a change's statement. */
export function auditRows(entries: AuditEntry[]) {
  return entries.map((e) => ({ actor_sub: e.actor, action: e.action, patient_id: e.patientId, outcome: e.outcome, request_id: e.requestId, details: e.details ? JSON.stringify(e.details) : null }));
}

export async function recordAudit(db: Db, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.insertInto('audit_events').values(auditRows(entries)).execute();
}

export function listAuditEventsForPatient(db: Db, patientId: string, limit: number) {
  return db.selectFrom('audit_events').selectAll().where('patient_id', '=', patientId).orderBy('id', 'desc').limit(limit).execute();
}
