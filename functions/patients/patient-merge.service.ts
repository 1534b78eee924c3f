/**
 * Merging two records of one person (issue 21), and undoing it. A merge is one transaction over both patients,
 * locked first: the source leaves the live set pointing at its target, the target takes the result's values and the
 * source's identifiers, and both records get a version, an audit record (with which record each field came from)
 * and their outbox messages. Nothing half-done can be seen: either all of it committed or none of it did.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../audit/audit.repository.js';
import type { Database } from '../shared/db.schema.js';
import { AppError, conflict, notFound, preconditionFailed } from '../shared/errors.js';
import { toPatient, type Identifier, type MergeFieldOrigin, type Patient, type PatientInput, type PatientRow, type PatientValues } from './patient.table.js';
import { mergeMessages } from './merge-messages.js';
import * as mergeRepo from './patient-merge.repository.js';
import * as repo from './patients.repository.js';
import { audited, checkDates, checkIdentifiers, completeInput, context, takenBy, type Caller } from './patients.service.js';

export interface MergeRequest {
  sourceId: string;
  targetId: string;
  /** The versions the caller saw; a merge of records that changed since is refused (412). */
  sourceVersion?: number;
  targetVersion?: number;
  /** The target as it should read after the merge; absent, it keeps its own values. */
  result?: PatientInput;
  /** FHIR's result-patient may restate the MRN: it must be the target's. */
  resultMrn?: string;
  /** Check and show the merge without changing anything. */
  preview: boolean;
}

export interface MergeOutcome {
  mergeId: string | null;
  preview: boolean;
  result: Patient;
  source: Patient;
  fields: Record<string, MergeFieldOrigin>;
}

const refused = (code: string, detail: string) => new AppError(422, code, 'Unprocessable', detail);

/** Why two records cannot be merged, or nothing. A merged record is not live, so a cycle is a merge into a merged one. */
function refusal(source: PatientRow | undefined, target: PatientRow | undefined, request: MergeRequest): AppError | undefined {
  if (request.sourceId === request.targetId) return refused('merge-self', 'A patient cannot be merged into itself.');
  if (!source) return notFound(`No patient ${request.sourceId} (the source).`);
  if (!target) return notFound(`No patient ${request.targetId} (the target).`);
  if (source.merged_into) return refused('already-merged', `The source was already merged into ${source.merged_into}.`);
  if (target.merged_into === source.id) return refused('merge-cycle', 'The target was merged into the source: merging back would make a cycle. Undo that merge instead.');
  if (target.merged_into) return refused('target-merged', `The target was merged into ${target.merged_into}; merge into that record instead.`);
  if (source.deleted_at) return refused('merge-deleted', 'The source is deleted.');
  if (target.deleted_at) return refused('merge-deleted', 'The target is deleted.');
  if ((request.sourceVersion !== undefined && request.sourceVersion !== source.version) || (request.targetVersion !== undefined && request.targetVersion !== target.version)) {
    return preconditionFailed();
  }
  return undefined;
}

const FIELDS = ['name', 'familyName', 'givenNames', 'gender', 'phone', 'email', 'address', 'dateOfBirth', 'registeredDate', 'identifiers'] as const;

const valuesOf = (patient: Patient): PatientValues => {
  const { name, familyName, givenNames, gender, phone, email, address, dateOfBirth, registeredDate, identifiers } = patient;
  return { name, familyName, givenNames, gender, phone, email, address, dateOfBirth, registeredDate, identifiers };
};

const identifierKey = (identifier: Identifier) => `${identifier.system ?? ''}\n${identifier.value}`;

/** Identifiers in order, each pair once. */
function union(...lists: Identifier[][]): Identifier[] {
  const seen = new Set<string>();
  return lists.flat().filter((identifier) => !seen.has(identifierKey(identifier)) && seen.add(identifierKey(identifier)));
}

/** The target's values after the merge, and which record each field came from. */
function resultValues(source: PatientRow, target: PatientRow, request: MergeRequest): { values: PatientValues; fields: Record<string, MergeFieldOrigin> } {
  const kept = valuesOf(toPatient(target));
  const taken = valuesOf(toPatient(source));
  let chosen = kept;
  if (request.result) {
    if (request.resultMrn !== undefined && request.resultMrn !== target.mrn) {
      throw new AppError(422, 'unchangeable', 'Unprocessable', "The result keeps the target's MRN; the source's becomes a former MRN of it.", { errors: [{ field: '/mrn', message: "must be the target's MRN" }] });
    }
    const registeredDate = request.result.registeredDate ?? kept.registeredDate;
    if (registeredDate !== kept.registeredDate && registeredDate !== taken.registeredDate) {
      throw new AppError(422, 'unchangeable', 'Unprocessable', "The result's registered date must be one of the two records'.", { errors: [{ field: '/registeredDate', message: "must be the target's or the source's" }] });
    }
    checkDates({ ...request.result, registeredDate });
    if (request.result.identifiers) checkIdentifiers(request.result.identifiers);
    chosen = { ...completeInput(request.result, toPatient(target)), registeredDate };
  }
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const fields = Object.fromEntries(FIELDS.map((field): [string, MergeFieldOrigin] => {
    const [fromTarget, fromSource] = [same(chosen[field], kept[field]), same(chosen[field], taken[field])];
    return [field, fromTarget && fromSource ? 'both' : fromTarget ? 'target' : fromSource ? 'source' : 'new'];
  }));
  // The target always gains the source's identifiers: each still finds the person.
  const identifiers = union(chosen.identifiers, taken.identifiers);
  fields.identifiers = same(chosen.identifiers, kept.identifiers) ? (taken.identifiers.length > 0 ? 'both' : 'target') : 'new';
  return { values: { ...chosen, identifiers }, fields };
}

/** How the two records will read after the merge, for a preview (nothing written). */
function previewed(source: PatientRow, target: PatientRow, values: PatientValues): { result: Patient; source: Patient } {
  const now = new Date();
  const result = toPatient({
    ...target,
    name: values.name, family: values.familyName, given: values.givenNames, gender: values.gender, phone: values.phone,
    email: values.email, address: values.address, date_of_birth: values.dateOfBirth, registered_date: values.registeredDate,
    identifiers: values.identifiers, version: target.version + 1, updated_at: now,
    merged_from: [...target.merged_from, source.id], former_mrns: [...target.former_mrns, source.mrn, ...source.former_mrns],
  });
  return { result, source: toPatient({ ...source, merged_into: target.id, deleted_at: now, updated_at: now, version: source.version + 1 }) };
}

/** The two records of a request, locked (the source first in the answer). */
async function lockPair(trx: Transaction<Database>, sourceId: string, targetId: string) {
  const rows = sourceId === targetId ? [] : await mergeRepo.lockPatients(trx, [sourceId, targetId]);
  return { source: rows.find((row) => row.id === sourceId), target: rows.find((row) => row.id === targetId) };
}

/**
 * Merges `sourceId` into `targetId` (or, with `preview`, shows what that would give). Refused: a patient into
 * itself, a merged or deleted patient on either side (a cycle included), a stale version, and any identifier or email
 * of the result that another live patient holds.
 */
export async function mergePatients(db: Kysely<Database>, caller: Caller, request: MergeRequest): Promise<MergeOutcome> {
  return audited(db, caller, 'merge', request.targetId, async () => {
    try {
      return await db.transaction().execute(async (trx) => {
        const { source, target } = await lockPair(trx, request.sourceId, request.targetId);
        const why = refusal(source, target, request);
        if (why || !source || !target) throw why ?? new Error('merge: refusal() passed a missing record');
        const { values, fields } = resultValues(source, target, request);
        if (request.preview) {
          await recordAudit(trx, [source.id, target.id].map((patientId) => ({ ...caller, action: 'read' as const, patientId, outcome: 'success' as const })));
          return { mergeId: null, preview: true, ...previewed(source, target, values), fields };
        }
        const mergeId = randomUUID();
        // The source first: its email and identifiers are free (not live) before the target may take them.
        const { retired, moved } = await mergeRepo.retireSource(trx, source, target.id, caller.actor);
        const held = union(target.identifiers, source.identifiers);
        const versions = { source: retired.version, target: target.version + 1 };
        const details = { mergeId, sourceId: source.id, targetId: target.id, fields };
        const merged = await repo.updateLockedPatient(
          trx,
          { ...target, identifiers: held },
          values,
          context(caller),
          {
            audit: { ...caller, action: 'merge', patientId: target.id, outcome: 'success', details },
            messages: mergeMessages('merge', { mergeId, sourceId: source.id, targetId: target.id, versions }),
          },
          { action: 'merge', mergedFrom: [...target.merged_from, source.id], formerMrns: [...target.former_mrns, source.mrn, ...source.former_mrns] },
        );
        await recordAudit(trx, [{ ...caller, action: 'merge', patientId: source.id, outcome: 'success', details }]);
        await mergeRepo.insertMerge(trx, {
          id: mergeId, sourceId: source.id, targetId: target.id, versionsBefore: { source: source.version, target: target.version }, versionsAfter: versions,
          moved, fields, actor: caller.actor,
        });
        return { mergeId, preview: false, result: toPatient(merged), source: toPatient(retired), fields };
      });
    } catch (error) {
      return takenBy(error);
    }
  });
}

/**
 * Undoes a merge while neither record changed since: the target gets back the values it had before (a new
 * version), the source is live again with its identifiers. Afterwards the versions and the audit trail still show
 * the merge and its undoing.
 */
export async function unmergePatients(db: Kysely<Database>, caller: Caller, mergeId: string): Promise<{ source: Patient; target: Patient }> {
  return audited(db, caller, 'unmerge', null, async () => {
    try {
      return await db.transaction().execute(async (trx) => {
        const merge = await mergeRepo.lockMerge(trx, mergeId);
        if (!merge) throw notFound('No merge with this id.');
        if (merge.unmerged_at) throw conflict('already-unmerged', 'This merge was already undone.');
        const { source, target } = await lockPair(trx, merge.source_id, merge.target_id);
        if (!source || !target) throw new Error('unmerge: a merged patient is missing');
        if (source.version !== merge.source_version_after || target.version !== merge.target_version_after) {
          throw conflict('merge-changed-since', 'A record changed after the merge, so it cannot be undone automatically; the versions and the audit trail show what to repair by hand.');
        }
        const before = await mergeRepo.recordAtVersion(trx, target.id, merge.target_version_before);
        if (!before) throw new Error('unmerge: the version the merge replaced is missing');
        await mergeRepo.returnIdentifiers(trx, merge);
        const returned = new Set(merge.moved_identifiers.map((i) => `${i.system}\n${i.value}`));
        const stillHeld = target.identifiers.filter((identifier) => !returned.has(identifierKey(identifier)));
        const details = { mergeId, sourceId: source.id, targetId: target.id };
        const versions = { source: source.version + 1, target: target.version + 1 };
        const restoredTarget = await repo.updateLockedPatient(
          trx,
          { ...target, identifiers: stillHeld },
          valuesOf(toPatient(before.record)),
          context(caller),
          {
            audit: { ...caller, action: 'unmerge', patientId: target.id, outcome: 'success', details },
            messages: mergeMessages('unmerge', { mergeId, sourceId: source.id, targetId: target.id, versions }),
          },
          { action: 'unmerge', mergedFrom: before.record.merged_from ?? [], formerMrns: before.record.former_mrns ?? [] },
        );
        const restoredSource = await mergeRepo.restoreSource(trx, source, caller.actor);
        await recordAudit(trx, [{ ...caller, action: 'unmerge', patientId: source.id, outcome: 'success', details }]);
        await mergeRepo.markUnmerged(trx, mergeId, caller.actor);
        return { source: toPatient(restoredSource), target: toPatient(restoredTarget) };
      });
    } catch (error) {
      return takenBy(error);
    }
  });
}

export interface MergeRecord {
  mergeId: string;
  sourceId: string;
  targetId: string;
  mergedAt: string;
  actor: string;
  fields: Record<string, MergeFieldOrigin>;
  unmergedAt: string | null;
  unmergedBy: string | null;
  /** Whether it can still be undone: not undone, and neither record changed since. */
  undoable: boolean;
}

/** The merges a patient took part in, newest first. */
export async function listMerges(db: Kysely<Database>, caller: Caller, patientId: string): Promise<MergeRecord[]> {
  const rows = await mergeRepo.mergesOf(db, patientId);
  await recordAudit(db, [{ ...caller, action: 'read', patientId, outcome: 'success' }]);
  return rows.map((row) => ({
    mergeId: row.id,
    sourceId: row.source_id,
    targetId: row.target_id,
    mergedAt: row.merged_at.toISOString(),
    actor: row.actor_sub,
    fields: row.fields,
    unmergedAt: row.unmerged_at?.toISOString() ?? null,
    unmergedBy: row.unmerged_by,
    undoable: !row.unmerged_at && row.source_version === row.source_version_after && row.target_version === row.target_version_after,
  }));
}

