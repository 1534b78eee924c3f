/** SQL for patient records. Only live (not soft-deleted) rows are visible. Takes a Kysely or a Transaction. */
import { sql, type Expression, type Kysely, type Transaction } from 'kysely';
import { auditRows } from '../audit/audit.repository.js';
import type { AuditAction, AuditEntry } from '../audit/audit.table.js';
import { outboxRows } from '../outbox/outbox.repository.js';
import type { OutboxMessage } from '../outbox/outbox.table.js';
import type { Database } from '../shared/db.schema.js';
import type { Identifier, PatientRow, PatientValues } from './patient.table.js';
import { reusableQuery } from '../shared/reusable-query.js';

type Db = Kysely<Database> | Transaction<Database>;

/** What a change leaves beside itself: its audit record and its outbox messages. */
export interface ChangeRecords {
  audit: AuditEntry;
  messages: OutboxMessage[];
}

/** What a write needs beside its values: who writes (the version's author) and the MRN's identifier system. */
export interface WriteContext {
  actor: string;
  mrnSystem: string;
}

/** The (system, value) pairs of external identifiers as two parallel arrays ('' for no system), for unnest. */
function identifierColumns(identifiers: readonly Identifier[]) {
  return { systems: identifiers.map((i) => i.system ?? ''), values: identifiers.map((i) => i.value) };
}

/** The columns of a patients row written as a version record (without seq and the generated search columns). */
export const versionRecord = (row: string) => sql.raw(`to_jsonb(${row}) - 'seq' - 'family_folded' - 'name_words_folded' - 'phone_digits'`);

function patientColumns(values: PatientValues) {
  return {
    name: values.name,
    family: values.familyName,
    given: values.givenNames,
    gender: values.gender,
    phone: values.phone,
    email: values.email,
    address: values.address,
    date_of_birth: values.dateOfBirth,
    identifiers: JSON.stringify(values.identifiers),
  };
}

/**
 * Inserts a patient (version 1, under the id given; the MRN from its sequence) with its identifiers, its first
 * version, its audit record and its outbox messages in one statement: all of it or nothing, in one round trip.
 */
export function insertPatient(db: Db, id: string, values: PatientValues, context: WriteContext, records: ChangeRecords) {
  const { systems, values: identifierValues } = identifierColumns(values.identifiers);
  return db
    .with('inserted', (qc) => qc.insertInto('patients').values({ id, ...patientColumns(values), registered_date: values.registeredDate, version: 1 }).returningAll())
    .with('identified', (qc) =>
      qc
        .insertInto('patient_identifiers')
        .columns(['patient_id', 'system', 'value'])
        .expression(
          sql`select id, ${context.mrnSystem}::text, mrn from inserted
              union all select inserted.id, x.system, x.value from inserted, unnest(${systems}::text[], ${identifierValues}::text[]) as x(system, value)`,
        ),
    )
    .with('versioned', (qc) =>
      qc
        .insertInto('patient_versions')
        .columns(['patient_id', 'version', 'actor_sub', 'action', 'record'])
        .expression(sql`select id, version, ${context.actor}::text, 'create', ${versionRecord('inserted')} from inserted`),
    )
    .with('worded', (qc) =>
      qc
        .insertInto('patient_name_words')
        .columns(['word', 'part', 'seq', 'patient_id'])
        .expression(sql`select w.word, w.part, inserted.seq, inserted.id from inserted, pm_name_words_of(inserted.name, inserted.family, inserted.given) as w`),
    )
    .with('audited', (qb) => qb.insertInto('audit_events').values(auditRows([records.audit])))
    .with('queued', (qb) => qb.insertInto('outbox').values(outboxRows(records.messages)))
    .selectFrom('inserted')
    .selectAll()
    .executeTakeFirstOrThrow();
}

/**
 * A live patient, locked until the transaction ends: the version a change is checked against cannot move. The lock
 * is `for no key update` (a change never touches the id, mrn or seq), so rows that merely reference the patient (a
 * duplicate pair a scan is writing) neither wait for it nor make it wait.
 */
export function lockLivePatient(trx: Transaction<Database>, id: string) {
  return trx.selectFrom('patients').selectAll().where('id', '=', id).where('deleted_at', 'is', null).forNoKeyUpdate().executeTakeFirst();
}

/** What a merge or an unmerge writes beside the values (patient-merge.service.ts). */
export interface MergeChange {
  action: 'merge' | 'unmerge';
  mergedFrom: string[];
  formerMrns: string[];
}

/**
 * Writes the next version of a locked live patient (`before`), with its identifier changes, its version record,
 * its audit record and its outbox messages, in one statement. The MRN never changes; the registered date only
 * by a merge. `before.identifiers` are the external identifiers it holds in patient_identifiers at this point.
 */
export function updateLockedPatient(
  trx: Transaction<Database>,
  before: PatientRow,
  values: PatientValues,
  context: WriteContext,
  records: ChangeRecords,
  merge?: MergeChange,
) {
  const key = (i: Identifier) => `${i.system ?? ''}\n${i.value}`;
  const kept = new Set(values.identifiers.map(key));
  const had = new Set(before.identifiers.map(key));
  const removed = identifierColumns(before.identifiers.filter((i) => !kept.has(key(i))));
  const added = identifierColumns(values.identifiers.filter((i) => !had.has(key(i))));
  return trx
    .with('changed', (qc) =>
      qc
        .updateTable('patients')
        .set({
          ...patientColumns(values),
          updated_at: sql<Date>`now()`,
          version: before.version + 1,
          ...(merge ? { registered_date: values.registeredDate, merged_from: merge.mergedFrom, former_mrns: merge.formerMrns } : {}),
        })
        .where('id', '=', before.id)
        .returningAll(),
    )
    .with('unlisted', (qc) =>
      qc
        .deleteFrom('patient_identifiers')
        .where('patient_id', '=', before.id)
        .where(sql<boolean>`(system, value) in (select * from unnest(${removed.systems}::text[], ${removed.values}::text[]))`),
    )
    .with('listed', (qc) =>
      qc
        .insertInto('patient_identifiers')
        .columns(['patient_id', 'system', 'value'])
        .expression(sql`select ${before.id}::uuid, x.system, x.value from unnest(${added.systems}::text[], ${added.values}::text[]) as x(system, value)`),
    )
    .with('versioned', (qc) =>
      qc
        .insertInto('patient_versions')
        .columns(['patient_id', 'version', 'actor_sub', 'action', 'record'])
        .expression(sql`select id, version, ${context.actor}::text, ${merge?.action ?? 'update'}::text, ${versionRecord('changed')} from changed`),
    )
    .with('unworded', (qc) => qc.deleteFrom('patient_name_words').where('patient_id', '=', before.id))
    .with('worded', (qc) =>
      qc
        .insertInto('patient_name_words')
        .columns(['word', 'part', 'seq', 'patient_id'])
        .expression(sql`select w.word, w.part, changed.seq, changed.id from changed, pm_name_words_of(changed.name, changed.family, changed.given) as w`),
    )
    .with('audited', (qb) => qb.insertInto('audit_events').values(auditRows([records.audit])))
    .with('queued', (qb) => qb.insertInto('outbox').values(outboxRows(records.messages)))
    .selectFrom('changed')
    .selectAll()
    .executeTakeFirstOrThrow();
}

/** Soft-deletes a locked live patient: its identifiers may then be reused; its last version records the deletion. */
export function softDeleteLockedPatient(trx: Transaction<Database>, before: PatientRow, context: WriteContext, records: ChangeRecords) {
  return trx
    .with('changed', (qc) =>
      qc
        .updateTable('patients')
        .set({ deleted_at: sql<Date>`now()`, updated_at: sql<Date>`now()`, version: before.version + 1 })
        .where('id', '=', before.id)
        .returningAll(),
    )
    .with('unlisted', (qc) => qc.updateTable('patient_identifiers').set({ live: false }).where('patient_id', '=', before.id))
    .with('unworded', (qc) => qc.deleteFrom('patient_name_words').where('patient_id', '=', before.id))
    .with('versioned', (qc) =>
      qc
        .insertInto('patient_versions')
        .columns(['patient_id', 'version', 'actor_sub', 'action', 'record'])
        .expression(sql`select id, version, ${context.actor}::text, 'delete', ${versionRecord('changed')} from changed`),
    )
    .with('audited', (qb) => qb.insertInto('audit_events').values(auditRows([records.audit])))
    .with('queued', (qb) => qb.insertInto('outbox').values(outboxRows(records.messages)))
    .selectFrom('changed')
    .select(['id', 'version'])
    .executeTakeFirstOrThrow();
}

/** The versions an `If-Match` header accepts (at least one), or `'any'`. */
export type AcceptedVersions = [number, ...number[]] | 'any';

/** Who reads, for what: each patient a read returns is recorded in the audit trail by the read's own statement. */
export interface ReadAudit {
  actor: string;
  requestId: string;
  action: Extract<AuditAction, 'read' | 'read_billing' | 'list'>;
}

/** The audit_events columns of a successful read of the patient `patientId`. */
export function auditedRead(patientId: Expression<string>, audit: ReadAudit) {
  return [
    sql<string>`${audit.actor}::text`.as('actor_sub'),
    sql<AuditAction>`${audit.action}::text`.as('action'),
    sql<string>`${patientId}`.as('patient_id'),
    sql<'success'>`'success'`.as('outcome'),
    sql<string>`${audit.requestId}::text`.as('request_id'),
  ];
}

export const AUDIT_COLUMNS = ['actor_sub', 'action', 'patient_id', 'outcome', 'request_id'] as const;

const liveRead = reusableQuery('readLivePatient', (db, { id, actor, action, requestId }: { id: string; actor: string; action: ReadAudit['action']; requestId: string }) =>
  db
    .with('found', (qb) => qb.selectFrom('patients').selectAll().where('id', '=', id).where('deleted_at', 'is', null))
    .with('audited', (qb) =>
      qb
        .insertInto('audit_events')
        .columns(AUDIT_COLUMNS)
        .expression((eb) => eb.selectFrom('found').select((inner) => auditedRead(inner.ref('found.id'), { actor, requestId, action }))),
    )
    .selectFrom('found')
    .selectAll(),
);

/** A live patient, its read recorded in the same statement (one round trip); nothing is recorded when there is none. */
export async function readLivePatient(db: Db, id: string, audit: ReadAudit) {
  const { rows } = await liveRead(db, { id, actor: audit.actor, action: audit.action, requestId: audit.requestId });
  return rows[0];
}

export function findLivePatient(db: Db, id: string) {
  return db.selectFrom('patients').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
}

/** A patient whatever its state (a deleted one too): FHIR answers 410 Gone for a deleted record, 404 for none. */
export function findPatient(db: Db, id: string) {
  return db.selectFrom('patients').select(['id', 'version', 'deleted_at', 'merged_into']).where('id', '=', id).executeTakeFirst();
}

/** The live patients holding an identifier (`system` absent: any system; a former MRN finds its target). */
export async function findLiveByIdentifier(db: Db, system: string | undefined, value: string): Promise<string[]> {
  let query = db.selectFrom('patient_identifiers').select('patient_id').where('live', '=', true).where('value', '=', value);
  if (system !== undefined) query = query.where('system', '=', system);
  const rows = await query.limit(2).execute();
  return rows.map((row) => row.patient_id);
}

/** A patient's record whatever its state (a merged one: it stays readable). */
export function readAnyPatient(db: Db, id: string) {
  return db.selectFrom('patients').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** One version of a patient's record. */
export function patientVersion(db: Db, id: string, version: number) {
  return db.selectFrom('patient_versions').selectAll().where('patient_id', '=', id).where('version', '=', version).executeTakeFirst();
}

export interface HistoryPosition {
  /** Only versions before this one (a page's end). */
  beforeVersion?: number;
  /** Only versions recorded at or after this instant. */
  since?: string;
}

/** Up to `limit` of a patient's versions at `position`, newest first (read along the primary key). */
export function patientVersionsPage(db: Db, id: string, position: HistoryPosition, limit: number) {
  let query = db.selectFrom('patient_versions').selectAll().where('patient_id', '=', id);
  if (position.beforeVersion !== undefined) query = query.where('version', '<', position.beforeVersion);
  if (position.since !== undefined) query = query.where('recorded_at', '>=', new Date(position.since));
  return query.orderBy('version', 'desc').limit(limit).execute();
}

/** How many versions a patient has (0: no such patient), and how many of them were recorded since `since`. */
export async function countPatientVersions(db: Db, id: string, since?: string): Promise<{ all: number; since: number }> {
  const row = await db
    .selectFrom('patient_versions')
    .select([
      sql<number>`count(*)::int`.as('all'),
      sql<number>`(count(*) filter (where recorded_at >= coalesce(${since ?? null}::timestamptz, '-infinity')))::int`.as('since'),
    ])
    .where('patient_id', '=', id)
    .executeTakeFirstOrThrow();
  return row;
}

export interface PatientSearch {
  name?: string;
  email?: string;
  /** An MRN, current or former (of a patient merged into the one found), under `mrnSystem`. */
  mrn?: string;
  mrnSystem: string;
  birthdate?: string;
  /** Return rows after this position (exclusive). */
  afterSeq?: number;
  limit: number;
}

/**
 * Up to `search.limit` matching live patients, the first `audited` of them recorded as read in the same
 * statement (the caller asks for one row more than it shows, to tell whether another page follows).
 */
export function searchPatients(db: Db, search: PatientSearch, audit: ReadAudit & { audited: number }) {
  return db
    .with('page', (qb) => {
      let query = qb.selectFrom('patients').selectAll().where('deleted_at', 'is', null);
      if (search.name) query = query.where('name', 'ilike', `%${escapeLike(search.name)}%`);
      if (search.email) query = query.where(sql<string>`lower(email)`, '=', search.email.toLowerCase());
      if (search.mrn) {
        const mrn = search.mrn.toUpperCase();
        query = query.where('id', 'in', (eb) => eb.selectFrom('patient_identifiers').select('patient_id').where('live', '=', true).where('system', '=', search.mrnSystem).where('value', '=', mrn));
      }
      if (search.birthdate) query = query.where('date_of_birth', '=', search.birthdate);
      if (search.afterSeq !== undefined) query = query.where('seq', '>', search.afterSeq);
      return query.orderBy('seq').limit(search.limit);
    })
    .with('audited', (qb) =>
      qb
        .insertInto('audit_events')
        .columns(AUDIT_COLUMNS)
        .expression((eb) => eb.selectFrom('page').select((inner) => auditedRead(inner.ref('page.id'), audit)).orderBy('seq').limit(audit.audited)),
    )
    .selectFrom('page')
    .selectAll()
    .orderBy('seq')
    .execute();
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}
