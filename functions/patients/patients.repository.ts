/** SQL for patient records. Only live (not soft-deleted) rows are visible. Takes a Kysely or a Transaction. */
import { sql, type Expression, type Kysely, type QueryCreator, type Transaction, type UpdateQueryBuilder } from 'kysely';
import { auditRows } from '../audit/audit.repository.js';
import type { AuditAction, AuditEntry } from '../audit/audit.table.js';
import { outboxRows } from '../outbox/outbox.repository.js';
import type { OutboxMessage } from '../outbox/outbox.table.js';
import type { Database } from '../shared/db.schema.js';
import type { PatientInput } from './patient.table.js';
import { reusableQuery } from '../shared/reusable-query.js';

type Db = Kysely<Database> | Transaction<Database>;

/** What a change leaves beside itself: its audit record and its outbox messages. */
export interface ChangeRecords {
  audit: AuditEntry;
  messages: OutboxMessage[];
}

/**
 * Inserts a patient (version 1, under the id given) with its audit record and outbox messages in one
 * statement: all of it or nothing, in one round trip.
 */
export function insertPatient(db: Db, id: string, input: Required<PatientInput>, records: ChangeRecords) {
  return db
    .with('audited', (qb) => qb.insertInto('audit_events').values(auditRows([records.audit])))
    .with('queued', (qb) => qb.insertInto('outbox').values(outboxRows(records.messages)))
    .insertInto('patients')
    .values({
      id,
      name: input.name,
      email: input.email,
      address: input.address,
      date_of_birth: input.dateOfBirth,
      registered_date: input.registeredDate,
      version: 1,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A change's audit record and outbox messages in one statement, within the change's transaction. */
export async function recordChange(trx: Transaction<Database>, records: ChangeRecords): Promise<void> {
  await trx
    .with('audited', (qb) => qb.insertInto('audit_events').values(auditRows([records.audit])))
    .insertInto('outbox')
    .values(outboxRows(records.messages))
    .execute();
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
function auditedRead(patientId: Expression<string>, audit: ReadAudit) {
  return [
    sql<string>`${audit.actor}::text`.as('actor_sub'),
    sql<AuditAction>`${audit.action}::text`.as('action'),
    sql<string>`${patientId}`.as('patient_id'),
    sql<'success'>`'success'`.as('outcome'),
    sql<string>`${audit.requestId}::text`.as('request_id'),
  ];
}

const AUDIT_COLUMNS = ['actor_sub', 'action', 'patient_id', 'outcome', 'request_id'] as const;

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

function patientUpdate(qc: QueryCreator<Database>, id: string, input: PatientInput, accepted: AcceptedVersions) {
  const query = qc
    .updateTable('patients')
    .set((eb) => ({
      name: input.name,
      email: input.email,
      address: input.address,
      date_of_birth: input.dateOfBirth,
      updated_at: sql<Date>`now()`,
      version: eb('version', '+', 1),
    }))
    .where('id', '=', id)
    .where('deleted_at', 'is', null);
  return (accepted === 'any' ? query : query.where('version', 'in', accepted)).returningAll();
}

function patientSoftDelete(qc: QueryCreator<Database>, id: string, accepted: AcceptedVersions) {
  const query = qc
    .updateTable('patients')
    .set((eb) => ({ deleted_at: sql<Date>`now()`, updated_at: sql<Date>`now()`, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('deleted_at', 'is', null);
  return (accepted === 'any' ? query : query.where('version', 'in', accepted)).returning(['id', 'version']);
}

/** Updates a live patient whose version is accepted; `undefined` when there is none (missing, or changed meanwhile). */
export function updatePatient(db: Db, id: string, input: PatientInput, accepted: AcceptedVersions) {
  return patientUpdate(db, id, input, accepted).executeTakeFirst();
}

/** Soft-deletes a live patient whose version is accepted; `undefined` when there is none (missing, or changed meanwhile). */
export function softDeletePatient(db: Db, id: string, accepted: AcceptedVersions) {
  return patientSoftDelete(db, id, accepted).executeTakeFirst();
}

/** What a change of one known version leaves beside itself: its audit record and its one outbox message. */
export interface VersionChangeRecords {
  audit: AuditEntry;
  message: OutboxMessage;
}

/** The values of a change's audit record and outbox message; the patient's id is the changed row's. */
interface RecordValues {
  [key: string]: string | number | Uint8Array;
  actor: string;
  action: string;
  outcome: string;
  requestId: string;
  eventId: string;
  destination: string;
  payload: Uint8Array;
}

const recordValues = ({ audit, message }: VersionChangeRecords): RecordValues => ({
  actor: audit.actor,
  action: audit.action,
  outcome: audit.outcome,
  requestId: audit.requestId,
  eventId: message.eventId,
  destination: message.destination,
  payload: message.payload,
});

/** The audit_events and outbox columns of a change's records, selected once per changed row. */
function changeRecordColumns(patientId: Expression<string>, values: RecordValues) {
  return {
    audit: [
      sql<string>`${values.actor}::text`.as('actor_sub'),
      sql<AuditAction>`${values.action}::text`.as('action'),
      sql<string>`${patientId}`.as('patient_id'),
      sql<AuditEntry['outcome']>`${values.outcome}::text`.as('outcome'),
      sql<string>`${values.requestId}::text`.as('request_id'),
    ],
    outbox: [
      sql<string>`${values.eventId}::uuid`.as('event_id'),
      sql<OutboxMessage['destination']>`${values.destination}::text`.as('destination'),
      sql<string>`${patientId}`.as('aggregate_id'),
      sql<Buffer>`${values.payload}::bytea`.as('payload'),
    ],
  };
}

const OUTBOX_COLUMNS = ['event_id', 'destination', 'aggregate_id', 'payload'] as const;

/**
 * A change of one patient (`changed`: an UPDATE … RETURNING) with its audit record and outbox message, in one
 * statement (one round trip, all of it or nothing): the caller knows the version the change makes, so its
 * message is encoded first. No row when nothing changed.
 */
function changeWithRecords<R extends { id: string }>(db: Db, changed: (qc: QueryCreator<Database>) => UpdateQueryBuilder<Database, 'patients', 'patients', R>, values: RecordValues) {
  return db
    .with('changed', changed)
    .with('audited', (qb) =>
      qb.insertInto('audit_events').columns(AUDIT_COLUMNS).expression((eb) => eb.selectFrom('changed').select((inner) => changeRecordColumns(inner.ref('changed.id'), values).audit)),
    )
    .with('queued', (qb) =>
      qb.insertInto('outbox').columns(OUTBOX_COLUMNS).expression((eb) => eb.selectFrom('changed').select((inner) => changeRecordColumns(inner.ref('changed.id'), values).outbox)),
    )
    .selectFrom('changed')
    .selectAll();
}

type UpdateValues = RecordValues & { id: string; version: number; name: string; email: string; address: string; dateOfBirth: string };

const updateAtVersion = reusableQuery('updatePatientAtVersion', (db, values: UpdateValues) => changeWithRecords(db, (qb) => patientUpdate(qb, values.id, values, [values.version]), values));

/** Updates a live patient at exactly `version`, with its records, in one statement; `undefined` when there is none at that version. */
export async function updatePatientAtVersion(db: Db, id: string, input: PatientInput, version: number, records: VersionChangeRecords) {
  const { name, email, address, dateOfBirth } = input;
  const { rows } = await updateAtVersion(db, { id, version, name, email, address, dateOfBirth, ...recordValues(records) });
  return rows[0];
}

const softDeleteAtVersion = reusableQuery('softDeletePatientAtVersion', (db, values: RecordValues & { id: string; version: number }) =>
  changeWithRecords(db, (qb) => patientSoftDelete(qb, values.id, [values.version]), values),
);

/** Soft-deletes a live patient at exactly `version`, with its records, in one statement; `undefined` when there is none at that version. */
export async function softDeletePatientAtVersion(db: Db, id: string, version: number, records: VersionChangeRecords) {
  const { rows } = await softDeleteAtVersion(db, { id, version, ...recordValues(records) });
  return rows[0];
}

export interface PatientSearch {
  name?: string;
  email?: string;
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
