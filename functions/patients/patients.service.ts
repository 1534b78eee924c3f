/**
 * Patient records: the domain rules. Every change commits together with its audit record and its
 * outbox messages; every read is audited. Failed attempts are audited after the rollback.
 */
import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../audit/audit.repository.js';
import type { AuditAction, AuditOutcome } from '../audit/audit.table.js';
import type { Database } from '../shared/db.schema.js';
import { AppError, conflict, notFound, preconditionFailed, validationFailed, type FieldError } from '../shared/errors.js';
import { config } from '../shared/config.js';
import { randomUUID } from 'node:crypto';
import { etagOf, toPatient, type Identifier, type Patient, type PatientInput, type PatientRecordJson, type PatientRow, type PatientValues, type VersionAction } from './patient.table.js';
import { billingAccountMessage, duplicateScanMessage, patientEventMessage } from './patient-messages.js';
import * as repo from './patients.repository.js';
import * as searchRepo from './patient-search.repository.js';
import type { SearchPosition } from './patient-search.repository.js';
import type { HistoryPosition } from './patients.repository.js';
import type { PatientSearch } from '../fhir/search-params.js';
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
export async function audited<T>(db: Kysely<Database>, caller: Caller, action: AuditAction, patientId: string | null, work: () => Promise<T>): Promise<T> {
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

export function checkDates(input: Pick<PatientInput, 'dateOfBirth' | 'registeredDate'>, today = latestToday()): void {
  const errors: FieldError[] = [];
  if (input.dateOfBirth > today) errors.push({ field: '/dateOfBirth', message: 'must not be in the future' });
  if (input.registeredDate !== undefined) {
    if (input.registeredDate > today) errors.push({ field: '/registeredDate', message: 'must not be in the future' });
    else if (errors.length === 0 && input.registeredDate < input.dateOfBirth) errors.push({ field: '/registeredDate', message: 'must not be before dateOfBirth' });
  }
  if (errors.length > 0) throw validationFailed(errors);
}

/** The unique index a write violated (PostgreSQL 23505), if that is why it failed. */
function violatedUniqueIndex(error: unknown): string | undefined {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === '23505' ? (constraint ?? '') : undefined;
}

/** A write refused because a live patient already holds its email or one of its identifiers. */
export function takenBy(error: unknown): never {
  const index = violatedUniqueIndex(error);
  if (index === 'patient_identifiers_live_key') throw conflict('identifier-taken', 'Another patient already has one of these identifiers (the same system and value).');
  if (index !== undefined) throw conflict('email-taken', 'Another patient already uses this email.');
  throw error;
}

export const context = (caller: Caller) => ({ actor: caller.actor, mrnSystem: config.patients.mrnSystem });

/**
 * A display name's structured parts when a client sends only the display name (the clients that came before
 * them): the last word is the family name, the words before it the given names.
 */
export function nameParts(name: string): { familyName: string | null; givenNames: string[] } {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return { familyName: words.at(-1) ?? null, givenNames: words.slice(0, -1) };
}

/**
 * Every field of a record from what a client sent: a field it did not send keeps its value (`current`), or
 * is empty on a new record; the structured name follows a changed display name unless it is sent too.
 */
export function completeInput(input: PatientInput, current?: Patient): Omit<PatientValues, 'registeredDate'> {
  const sentName = input.familyName !== undefined || input.givenNames !== undefined;
  const derived = sentName || (current && current.name === input.name) ? undefined : nameParts(input.name);
  return {
    name: input.name,
    familyName: input.familyName !== undefined ? input.familyName : (derived?.familyName ?? current?.familyName ?? null),
    givenNames: input.givenNames ?? derived?.givenNames ?? current?.givenNames ?? [],
    gender: input.gender !== undefined ? input.gender : (current?.gender ?? null),
    phone: input.phone !== undefined ? input.phone : (current?.phone ?? null),
    email: input.email,
    address: input.address,
    dateOfBirth: input.dateOfBirth,
    identifiers: input.identifiers ?? current?.identifiers ?? [],
  };
}

/** External identifiers must not claim the system of our own MRNs, nor list one pair twice. */
export function checkIdentifiers(identifiers: readonly Identifier[]): void {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  identifiers.forEach((identifier, index) => {
    if (identifier.system === config.patients.mrnSystem) errors.push({ field: `/identifiers/${index}/system`, message: 'is the system of the MRNs this system assigns' });
    const key = `${identifier.system ?? ''}\n${identifier.value}`;
    if (seen.has(key)) errors.push({ field: `/identifiers/${index}`, message: 'is listed twice' });
    seen.add(key);
  });
  if (errors.length > 0) throw validationFailed(errors);
}

export async function createPatient(db: Kysely<Database>, caller: Caller, input: PatientInput & { registeredDate: string }): Promise<PatientWithEtag> {
  checkDates(input);
  const values = { ...completeInput(input), registeredDate: input.registeredDate };
  checkIdentifiers(values.identifiers);
  return audited(db, caller, 'create', null, async () => {
    // The id is ours, so the messages can be encoded first and everything written in one statement.
    const id = randomUUID();
    const created = { id, name: values.name, email: values.email, version: 1 };
    try {
      const row = await repo.insertPatient(db, id, values, context(caller), {
        audit: { ...caller, action: 'create', patientId: id, outcome: 'success' },
        messages: [billingAccountMessage(created), patientEventMessage('created', created), duplicateScanMessage(id)],
      });
      return withEtag(row);
    } catch (error) {
      return takenBy(error);
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
    if (row) return withEtag(row);
    const found = await repo.findPatient(db, id);
    if (!found) throw notFound('No patient with this id.');
    if (!found.merged_into) throw gone();
    // A merged record stays readable: it says where it went (mergedInto), and the read is audited as any other.
    const merged = await repo.readAnyPatient(db, id);
    await recordAudit(db, [{ ...caller, action, patientId: id, outcome: 'success' }]);
    return withEtag(merged);
  });
}

/**
 * A deleted patient: our API answers 404 as for any missing record (as it always has); FHIR answers 410 Gone
 * (functions/fhir/operation-outcome.ts), telling the two apart by this type.
 */
export class DeletedPatientError extends AppError {
  constructor() {
    super(404, 'not-found', 'Not found', 'No patient with this id.');
  }
}

const gone = () => new DeletedPatientError();

/** A change of a merged record: it no longer changes (its target does), until an admin undoes the merge. */
export const mergedInto = (targetId: string) =>
  new AppError(409, 'patient-merged', 'Conflict', `This patient was merged into ${targetId}; change that record instead.`);

/** Why a change of a patient that is not live is refused: merged, deleted, or never there. */
export async function notLive(db: Kysely<Database> | Transaction<Database>, id: string): Promise<AppError> {
  const found = await repo.findPatient(db, id);
  if (!found) return notFound('No patient with this id.');
  return found.merged_into ? mergedInto(found.merged_into) : gone();
}

/** The versions an `If-Match` header accepts: any for `*` or no header, else those its ETags name (`"v<n>"`, or FHIR's `W/"<n>"`). */
function acceptedVersions(ifMatch: string | undefined): repo.AcceptedVersions | 'none' {
  if (ifMatch === undefined) return 'any';
  const tags = ifMatch.split(',').map((tag) => tag.trim());
  if (tags.includes('*')) return 'any';
  const [first, ...rest] = tags.flatMap((tag) => /^(?:"v([1-9]\d{0,8})"|W\/"([1-9]\d{0,8})")$/.exec(tag)?.slice(1).find(Boolean) ?? []).map(Number);
  return first === undefined ? 'none' : [first, ...rest];
}

/**
 * Changes a live patient if `If-Match` accepts its version: the row is locked first, so the version checked is
 * the version changed, and the change (with its identifiers, version record, audit record and outbox message)
 * is then one statement.
 */
async function changeLive<T>(db: Kysely<Database>, id: string, ifMatch: string | undefined, change: (trx: Transaction<Database>, before: PatientRow) => Promise<T>): Promise<T> {
  const accepted = acceptedVersions(ifMatch);
  return db.transaction().execute(async (trx) => {
    const before = await repo.lockLivePatient(trx, id);
    if (!before) throw await notLive(trx, id);
    if (accepted === 'none' || (accepted !== 'any' && !accepted.includes(before.version))) throw preconditionFailed();
    return change(trx, before);
  });
}

/** What an update may restate but never changes: the MRN, the registered date, and what merges set. */
export interface FixedFields {
  mrn?: string;
  registeredDate?: string;
  merges?: { formerMrns: string[]; links: { type: string; id: string }[] };
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/** An update that restates the MRN, the registered date or the merges must restate them as they are. */
function checkUnchanged(before: PatientRow, fixed: FixedFields): void {
  const errors: FieldError[] = [];
  if (fixed.mrn !== undefined && fixed.mrn !== before.mrn) errors.push({ field: '/mrn', message: 'is assigned by the system and cannot change' });
  if (fixed.registeredDate !== undefined && fixed.registeredDate !== before.registered_date) errors.push({ field: '/registeredDate', message: 'cannot change' });
  if (fixed.merges && !sameSet(fixed.merges.formerMrns, before.former_mrns)) errors.push({ field: '/formerMrns', message: 'are set by merges and cannot change' });
  const links = fixed.merges?.links.map((link) => `${link.type} ${link.id}`) ?? [];
  if (fixed.merges && !sameSet(links, before.merged_from.map((id) => `replaces ${id}`))) errors.push({ field: '/replaces', message: 'are set by merges and cannot change' });
  if (errors.length > 0) throw new AppError(422, 'unchangeable', 'Unprocessable', 'The update changes a field that never changes; see `errors`.', { errors });
}

export async function updatePatient(
  db: Kysely<Database>,
  caller: Caller,
  id: string,
  input: PatientInput,
  ifMatch?: string,
  fixed: FixedFields = {},
): Promise<PatientWithEtag> {
  checkDates(input);
  if (input.identifiers) checkIdentifiers(input.identifiers);
  return audited(db, caller, 'update', id, async () => {
    try {
      const row = await changeLive(db, id, ifMatch, (trx, before) => {
        checkUnchanged(before, fixed);
        const values = { ...completeInput(input, toPatient(before)), registeredDate: before.registered_date };
        const changed = { id, version: before.version + 1 };
        return repo.updateLockedPatient(trx, before, values, context(caller), {
          audit: { ...caller, action: 'update', patientId: id, outcome: 'success' },
          messages: [patientEventMessage('updated', changed), duplicateScanMessage(id)],
        });
      });
      return withEtag(row);
    } catch (error) {
      return takenBy(error);
    }
  });
}

export async function deletePatient(db: Kysely<Database>, caller: Caller, id: string, ifMatch?: string): Promise<void> {
  await audited(db, caller, 'delete', id, () =>
    changeLive(db, id, ifMatch, (trx, before) =>
      repo.softDeleteLockedPatient(trx, before, context(caller), {
        audit: { ...caller, action: 'delete', patientId: id, outcome: 'success' },
        messages: [patientEventMessage('deleted', { id, version: before.version + 1 }), duplicateScanMessage(id)],
      }),
    ),
  );
}

/** A version of a patient's record as it was written, and what made it. */
export interface PatientVersion {
  patient: Patient;
  action: VersionAction;
  recordedAt: string;
  /** Set on the version a deletion made. */
  deleted: boolean;
}

const versionOf = (row: { record: PatientRecordJson; action: VersionAction; recorded_at: Date }): PatientVersion => ({
  patient: toPatient(row.record),
  action: row.action,
  recordedAt: row.recorded_at.toISOString(),
  deleted: row.record.deleted_at !== null && !row.record.merged_into,
});

/** One version of a patient's record, a deleted one included; reading it counts as a read in the audit trail. */
export async function getPatientVersion(db: Kysely<Database>, caller: Caller, id: string, version: number): Promise<PatientVersion> {
  return audited(db, caller, 'read', id, async () => {
    const row = await repo.patientVersion(db, id, version);
    if (!row) throw notFound('No such version of this patient.');
    await recordAudit(db, [{ ...caller, action: 'read', patientId: id, outcome: 'success' }]);
    return versionOf(row);
  });
}

export interface HistoryPage {
  /** Newest first. */
  versions: PatientVersion[];
  /** How many versions the history holds (since `since`, when given). */
  total: number;
  /** The version the next page starts before, or null on the last page. */
  nextBefore: number | null;
}

/**
 * A page of a patient's versions, newest first, deleted ones included: `count` of them at `position`. A patient
 * with no version is unknown (404); one whose versions all precede `since` has an empty history. The page counts as
 * one read of the patient in the audit trail.
 */
export async function getPatientHistory(db: Kysely<Database>, caller: Caller, id: string, position: HistoryPosition, count: number): Promise<HistoryPage> {
  return audited(db, caller, 'read', id, async () => {
    const counted = await repo.countPatientVersions(db, id, position.since);
    if (counted.all === 0) throw notFound('No patient with this id.');
    const rows = count === 0 ? [] : await repo.patientVersionsPage(db, id, position, count + 1);
    await recordAudit(db, [{ ...caller, action: 'read', patientId: id, outcome: 'success' }]);
    const shown = rows.slice(0, count);
    const last = shown.at(-1);
    return {
      versions: shown.map(versionOf),
      total: counted.since,
      nextBefore: rows.length > count && last ? last.version : null,
    };
  });
}

export interface PatientPage {
  patients: Patient[];
  nextCursor: string | null;
}

/** A page cursor: a position in a list, named by the list's `kind` so that one list refuses another's cursors. */
export function encodeCursor(position: number, kind: 'seq' | 'pair' = 'seq'): string {
  return Buffer.from(`${kind}:${position}`).toString('base64url');
}

export function decodeCursor(cursor: string, kind: 'seq' | 'pair' = 'seq'): number {
  const match = new RegExp(`^${kind}:(\\d{1,15})$`).exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) throw validationFailed([{ field: 'query.cursor', message: 'is not a cursor returned by this API' }]);
  return Number(match[1]);
}

export async function listPatients(
  db: Kysely<Database>,
  caller: Caller,
  search: { name?: string; email?: string; mrn?: string; birthdate?: string; cursor?: string; limit: number },
): Promise<PatientPage> {
  const afterSeq = search.cursor ? decodeCursor(search.cursor) : undefined;
  // One row more than asked tells whether another page exists. Each listed record counts as read by the
  // caller (recorded by the search itself); an empty result is recorded once.
  const rows = await repo.searchPatients(db, { ...search, mrnSystem: config.patients.mrnSystem, afterSeq, limit: search.limit + 1 }, { ...caller, action: 'list', audited: search.limit });
  const page = rows.slice(0, search.limit);
  const last = page.at(-1);
  if (page.length === 0) await recordAudit(db, [{ ...caller, action: 'list', patientId: null, outcome: 'success' }]);
  return { patients: page.map(toPatient), nextCursor: rows.length > search.limit && last ? encodeCursor(last.seq) : null };
}

/**
 * A page of a FHIR search (functions/fhir/search-params.ts): up to `count` live patients after `position`, and the
 * position of the last one when more follow. Each record returned counts as read; an empty page is recorded once.
 */
export async function findPatients(
  db: Kysely<Database>,
  caller: Caller,
  search: PatientSearch,
  position: SearchPosition | undefined,
): Promise<{ patients: Patient[]; next: SearchPosition | null }> {
  const found = await searchRepo.findPatients(db, search, search.count + 1, position, { ...caller, action: 'list', audited: search.count });
  const page = found.slice(0, search.count);
  if (page.length === 0) await recordAudit(db, [{ ...caller, action: 'list', patientId: null, outcome: 'success' }]);
  const next = found.length > search.count ? (page.at(-1)?.position ?? null) : null;
  return { patients: page.map(({ row }) => toPatient(row)), next };
}

/** How many live patients a FHIR search matches (reads no record, so none is recorded as read). */
export function countPatients(db: Kysely<Database>, search: PatientSearch): Promise<number> {
  return searchRepo.countPatients(db, search);
}
