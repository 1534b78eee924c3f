/**
 * The duplicate report (issue 21): pairs of live patients graded `probable` or `certain`, newest first, kept up to
 * date one changed patient at a time. A create, update or delete (and a merge or unmerge) leaves a `duplicates`
 * outbox message; the relay's duplicatesPublisher scans that patient with the matcher and replaces its pairs. An
 * admin's "Not a duplicate" is remembered, so the pair never comes back, whatever edits follow.
 */
import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../audit/audit.repository.js';
import type { Database } from '../shared/db.schema.js';
import { notFound, validationFailed } from '../shared/errors.js';
import type { Contribution, MatchGrade } from './patient-match.js';
import { toPatient, type Patient } from './patient.table.js';
import type { DuplicateDecision, PatientDuplicateDecisionRow } from './patient-duplicate.table.js';
import * as repo from './patient-duplicates.repository.js';
import { findLivePatient } from './patients.repository.js';
import { findMatches } from './patient-match.service.js';
import { audited, decodeCursor, encodeCursor, type Caller } from './patients.service.js';

type Db = Kysely<Database> | Transaction<Database>;

const REPORTED_GRADES: readonly MatchGrade[] = ['certain', 'probable'];
/** A record with more likely duplicates than this is a data problem of its own; its best ones are enough to show it. */
const MAX_PAIRS_PER_PATIENT = 20;

/** The pair's ids in the order they are stored in (`patient_a < patient_b`; uuids compare as their lower-case text). */
export function orderedPair(first: string, second: string): { patientA: string; patientB: string } {
  const [patientA, patientB] = [first.toLowerCase(), second.toLowerCase()].sort();
  return { patientA: patientA!, patientB: patientB! };
}

/**
 * Scans one patient: its pairs become the live patients the matcher grades probable or certain against its record as
 * it is now, less those decided "not a duplicate". A patient no longer live (deleted, merged) loses its pairs. Writes
 * no audit record: nobody is shown anything.
 */
export async function scanForDuplicates(db: Db, patientId: string): Promise<void> {
  const row = await findLivePatient(db, patientId);
  if (!row) return repo.replacePairs(db, patientId, []);
  const matches = await findMatches(db, toPatient(row), { count: MAX_PAIRS_PER_PATIENT, grades: REPORTED_GRADES, excludeId: patientId });
  const decided = new Set(await repo.decidedPartners(db, patientId));
  const pairs = matches
    .filter((match) => !decided.has(match.patient.id))
    .map((match) => ({
      ...orderedPair(patientId, match.patient.id),
      score: match.score,
      grade: match.grade as 'certain' | 'probable',
      contributions: match.contributions,
    }));
  await repo.replacePairs(db, patientId, pairs);
}

export interface DuplicatePair {
  pairId: string;
  patients: [Patient, Patient];
  score: number;
  grade: 'certain' | 'probable';
  contributions: Contribution[];
  foundAt: string;
}

export interface DuplicatePage {
  pairs: DuplicatePair[];
  nextCursor: string | null;
}

/** A page of the report, newest first. Each patient shown counts as read (`list`); an empty page is recorded once. */
export async function listDuplicates(db: Kysely<Database>, caller: Caller, page: { cursor?: string; limit: number }): Promise<DuplicatePage> {
  const beforeId = page.cursor ? decodeCursor(page.cursor, 'pair') : undefined;
  // One row more than asked tells whether another page exists.
  const rows = await repo.pairPage(db, { beforeId, limit: page.limit + 1 }, { ...caller, audited: page.limit });
  const shown = rows.slice(0, page.limit);
  if (shown.length === 0) await recordAudit(db, [{ ...caller, action: 'list', patientId: null, outcome: 'success' }]);
  const last = shown.at(-1);
  return {
    pairs: shown.map((row) => ({
      pairId: String(row.id),
      patients: [toPatient(row.a), toPatient(row.b)],
      score: row.score,
      grade: row.grade,
      contributions: row.contributions,
      foundAt: row.found_at.toISOString(),
    })),
    nextCursor: rows.length > page.limit && last ? encodeCursor(last.id, 'pair') : null,
  };
}

export interface DuplicateDecisionView {
  patientIds: [string, string];
  decision: DuplicateDecision;
  decidedBy: string;
  decidedAt: string;
}

const toDecisionView = (row: PatientDuplicateDecisionRow): DuplicateDecisionView => ({
  patientIds: [row.patient_a, row.patient_b],
  decision: row.decision,
  decidedBy: row.actor_sub,
  decidedAt: row.decided_at.toISOString(),
});

/**
 * Remembers an admin's decision on a pair of live patients and takes the pair off the report; audited as
 * `decide_duplicate` on both. Deciding a pair again changes nothing (`created: false`, the first decision stands) and
 * is audited again. 404 when either patient is unknown or no longer live.
 */
export async function decideDuplicate(
  db: Kysely<Database>,
  caller: Caller,
  patientIds: readonly [string, string],
  decision: DuplicateDecision,
): Promise<{ decision: DuplicateDecisionView; created: boolean }> {
  const pair = orderedPair(patientIds[0], patientIds[1]);
  if (pair.patientA === pair.patientB) throw validationFailed([{ field: '/patientIds', message: 'must name two different patients' }]);
  return audited(db, caller, 'decide_duplicate', null, () =>
    db.transaction().execute(async (trx) => {
      // Both stay live until the decision commits: a merge or delete waits for it.
      const live = await repo.lockLivePatients(trx, [pair.patientA, pair.patientB]);
      if (live.length < 2) throw notFound('No patient with this id.');
      const inserted = await repo.insertDecision(trx, pair, decision, caller.actor);
      const row = inserted ?? (await repo.findDecision(trx, pair));
      if (!row) throw new Error('the decision was neither inserted nor found');
      await repo.deletePair(trx, pair);
      await recordAudit(trx, [
        [pair.patientA, pair.patientB],
        [pair.patientB, pair.patientA],
      ].map(([patientId, otherPatientId]) => ({
        ...caller,
        action: 'decide_duplicate' as const,
        patientId: patientId!,
        outcome: 'success' as const,
        details: { decision, otherPatientId, repeated: !inserted },
      })));
      return { decision: toDecisionView(row), created: Boolean(inserted) };
    }),
  );
}
