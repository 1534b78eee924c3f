/**
 * Patient records: the domain rules. Every change commits together with its audit record and its
 * outbox messages; every read is audited. Failed attempts are audited after the rollback.
 */
import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../audit/audit.repository.js';
import type { AuditAction, AuditOutcome } from '../audit/audit.table.js';
import type { Database } from '../shared/db.schema.js';
import { conflict, notFound, preconditionFailed, validationFailed, type FieldError } from '../shared/errors.js';
import { randomUUID } from 'node:crypto';
import { etagOf, toPatient, type Patient, type PatientInput, type PatientRow } from './patient.table.js';
import { billingAccountMessage, patientEventMessage } from './patient-messages.js';
import * as repo from './patients.repository.js';
import { toAppError } from '../shared/problem.js';

export interface Caller {
  actor: string;
  requestId: string;
}

export interface PatientWithEtag {
  patient: Patient;
  etag: string;
}

const withEtag = (row: PatientRow): PatientWithEtag => ({ patient: toPatient(row), etag: etagOf(row) });

const OUTCOMES: Record<number, AuditOutcome> = { 404: 'not_found', 409: 'conflict', 412: 'precondition_failed' };

/** Runs `work`; when it fails, records the failed attempt in the audit trail (outside the rolled-back transaction). */
async function audited<T>(db: Kysely<Database>, caller: Caller, action: AuditAction, patientId: string | null, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const known = toAppError(error);
    const outcome = known ? (OUTCOMES[known.status] ?? 'error') : 'error';
    await recordAudit(db, [{ ...caller, action, patientId, outcome }]).catch(() => undefined);
    throw error;
  }
}

// The furthest-ahead time zone is UTC+14: a baby born "today" there may already be "tomorrow" in UTC.
const latestToday = () => new Date(Date.now() + 14 * 3600 * 1000).toISOString().slice(0, 10);

function checkDates(input: PatientInput, today = latestToday()): void {
  const errors: FieldError[] = [];
  if (input.dateOfBirth > today) errors.push({ field: '/dateOfBirth', message: 'must not be in the future' });
  if (input.registeredDate !== undefined) {
    if (input.registeredDate > today) errors.push({ field: '/registeredDate', message: 'must not be in the future' });
    else if (errors.length === 0 && input.registeredDate < input.dateOfBirth) errors.push({ field: '/registeredDate', message: 'must not be before dateOfBirth' });
  }
  if (errors.length > 0) throw validationFailed(errors);
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === '23505';
}

const emailTaken = () => conflict('email-taken', 'Another patient already uses this email.');

export async function createPatient(db: Kysely<Database>, caller: Caller, input: Required<PatientInput>): Promise<PatientWithEtag> {
  checkDates(input);
  return audited(db, caller, 'create', null, async () => {
    // The id is ours, so the messages can be encoded first and everything written in one statement.
    const id = randomUUID();
    const created = { id, name: input.name, email: input.email, version: 1 };
    try {
      const row = await repo.insertPatient(db, id, input, {
        audit: { ...caller, action: 'create', patientId: id, outcome: 'success' },
        messages: [billingAccountMessage(created), patientEventMessage('created', created)],
      });
      return withEtag(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw emailTaken();
      throw error;
    }
  });
}

/** Reads a live patient; `action` names what the read is for in the audit trail. */
export async function getPatient(
  db: Kysely<Database>,
  caller: Caller,
  id: string,
  action: Extract<AuditAction, 'read' | 'read_billing'> = 'read',
): Promise<PatientWithEtag> {
  return audited(db, caller, action, id, async () => {
    const row = await repo.readLivePatient(db, id, { ...caller, action });
    if (!row) throw notFound('No patient with this id.');
    return withEtag(row);
  });
}

/** The versions an `If-Match` header accepts: any for `*` or no header, else those its ETags (`"v<version>"`) name. */
function acceptedVersions(ifMatch: string | undefined): repo.AcceptedVersions | 'none' {
  if (ifMatch === undefined) return 'any';
  const tags = ifMatch.split(',').map((tag) => tag.trim());
  if (tags.includes('*')) return 'any';
  const [first, ...rest] = tags.flatMap((tag) => /^"v([1-9]\d{0,8})"$/.exec(tag)?.[1] ?? []).map(Number);
  return first === undefined ? 'none' : [first, ...rest];
}

/** Why a conditional change changed nothing: no such live patient (404), or not at an accepted version (412). */
async function unchanged(db: Kysely<Database> | Transaction<Database>, id: string): Promise<never> {
  if (!(await repo.findLivePatient(db, id))) throw notFound('No patient with this id.');
  throw preconditionFailed();
}

/**
 * Changes a live patient if `If-Match` accepts its version, together with the change's audit record and outbox
 * message. When `If-Match` names one version (what clients that read first send), the version the change
 * makes is known, so its message is encoded first and everything is one statement (`atVersion`). Otherwise a
 * transaction: the conditional UPDATE (which waits for and then re-checks a concurrent change), then the
 * records of the version it made.
 */
async function changeLive<T extends { id: string; version: number }>(
  db: Kysely<Database>,
  id: string,
  ifMatch: string | undefined,
  recordsOf: (changed: { id: string; version: number }) => repo.VersionChangeRecords,
  change: {
    atVersion: (version: number, records: repo.VersionChangeRecords) => Promise<T | undefined>;
    accepted: (trx: Transaction<Database>, accepted: repo.AcceptedVersions) => Promise<T | undefined>;
  },
): Promise<T> {
  const accepted = acceptedVersions(ifMatch);
  if (accepted === 'none') return unchanged(db, id);
  if (accepted !== 'any' && accepted.length === 1) {
    const [version] = accepted;
    return (await change.atVersion(version, recordsOf({ id, version: version + 1 }))) ?? unchanged(db, id);
  }
  return db.transaction().execute(async (trx) => {
    const changed = (await change.accepted(trx, accepted)) ?? (await unchanged(trx, id));
    const { audit, message } = recordsOf(changed);
    await repo.recordChange(trx, { audit, messages: [message] });
    return changed;
  });
}

export async function updatePatient(
  db: Kysely<Database>,
  caller: Caller,
  id: string,
  input: PatientInput,
  ifMatch?: string,
): Promise<PatientWithEtag> {
  checkDates(input);
  return audited(db, caller, 'update', id, async () => {
    try {
      const row = await changeLive(db, id, ifMatch, (changed) => ({ audit: { ...caller, action: 'update', patientId: id, outcome: 'success' }, message: patientEventMessage('updated', changed) }), {
        atVersion: (version, records) => repo.updatePatientAtVersion(db, id, input, version, records),
        accepted: (trx, accepted) => repo.updatePatient(trx, id, input, accepted),
      });
      return withEtag(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw emailTaken();
      throw error;
    }
  });
}

export async function deletePatient(db: Kysely<Database>, caller: Caller, id: string, ifMatch?: string): Promise<void> {
  await audited(db, caller, 'delete', id, () =>
    changeLive(db, id, ifMatch, (changed) => ({ audit: { ...caller, action: 'delete', patientId: id, outcome: 'success' }, message: patientEventMessage('deleted', changed) }), {
      atVersion: (version, records) => repo.softDeletePatientAtVersion(db, id, version, records),
      accepted: (trx, accepted) => repo.softDeletePatient(trx, id, accepted),
    }),
  );
}

export interface PatientPage {
  patients: Patient[];
  nextCursor: string | null;
}

export function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const match = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) throw validationFailed([{ field: 'query.cursor', message: 'is not a cursor returned by this API' }]);
  return Number(match[1]);
}

export async function listPatients(
  db: Kysely<Database>,
  caller: Caller,
  search: { name?: string; email?: string; birthdate?: string; cursor?: string; limit: number },
): Promise<PatientPage> {
  const afterSeq = search.cursor ? decodeCursor(search.cursor) : undefined;
  // One row more than asked tells whether another page exists. Each listed record counts as read by the
  // caller (recorded by the search itself); an empty result is recorded once.
  const rows = await repo.searchPatients(db, { ...search, afterSeq, limit: search.limit + 1 }, { ...caller, action: 'list', audited: search.limit });
  const page = rows.slice(0, search.limit);
  const last = page.at(-1);
  if (page.length === 0) await recordAudit(db, [{ ...caller, action: 'list', patientId: null, outcome: 'success' }]);
  return { patients: page.map(toPatient), nextCursor: rows.length > search.limit && last ? encodeCursor(last.seq) : null };
}
