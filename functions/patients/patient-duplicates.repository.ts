/**
 * SQL for the duplicate report: the pairs a scan found (each stored once, `patient_a < patient_b`), the "Not a
 * duplicate" decisions, and the report's pages. Takes a Kysely or a Transaction.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../shared/db.schema.js';
import type { Contribution } from './patient-match.js';
import type { PatientRecordJson } from './patient.table.js';
import type { DuplicateDecision, PatientDuplicateRow } from './patient-duplicate.table.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface FoundPair {
  patientA: string;
  patientB: string;
  score: number;
  grade: 'certain' | 'probable';
  contributions: Contribution[];
}

/**
 * The patients `patientId` was decided "not a duplicate" of. A decision follows a merge, both ways: one about a
 * record merged into `patientId` counts for it, and one about a record since merged into another counts for that
 * other (same person, so the same answer). An unmerge restores `merged_from` and clears `merged_into`, and with them
 * what the decision covers.
 */
export async function decidedPartners(db: Db, patientId: string): Promise<string[]> {
  const { rows } = await sql<{ partner: string }>`
    with selves as (
      select ${patientId}::uuid as id
      union select unnest(merged_from) from patients where id = ${patientId}::uuid
    ),
    partners as (
      select case when d.patient_a = s.id then d.patient_b else d.patient_a end as id
      from selves s join patient_duplicate_decisions d on d.patient_a = s.id or d.patient_b = s.id
    )
    select p.id as partner from partners p
    union select pt.merged_into from partners p join patients pt on pt.id = p.id where pt.merged_into is not null`.execute(db);
  return rows.map((row) => row.partner);
}

/**
 * Makes `pairs` the pairs `patientId` is in: its other pairs go, new ones come in, known ones take the new score
 * (keeping when they were first found, hence their place in the report).
 */
export async function replacePairs(db: Db, patientId: string, pairs: FoundPair[]): Promise<void> {
  const partners = pairs.map((pair) => (pair.patientA === patientId ? pair.patientB : pair.patientA));
  let gone = db.deleteFrom('patient_duplicates').where((eb) => eb.or([eb('patient_a', '=', patientId), eb('patient_b', '=', patientId)]));
  // One of the two is `patientId` itself, never a partner: the other one decides.
  if (partners.length > 0) gone = gone.where('patient_a', 'not in', partners).where('patient_b', 'not in', partners);
  await gone.execute();
  if (pairs.length === 0) return;
  await db
    .insertInto('patient_duplicates')
    .values(pairs.map((pair) => ({
      patient_a: pair.patientA,
      patient_b: pair.patientB,
      score: pair.score,
      grade: pair.grade,
      contributions: JSON.stringify(pair.contributions),
    })))
    .onConflict((oc) =>
      oc.columns(['patient_a', 'patient_b']).doUpdateSet((eb) => ({
        score: eb.ref('excluded.score'),
        grade: eb.ref('excluded.grade'),
        contributions: eb.ref('excluded.contributions'),
        updated_at: sql<Date>`now()`,
      })),
    )
    .execute();
}

/** A page row: the pair and both patients' rows as JSON (as patient_versions keeps them). */
export type PairPageRow = Pick<PatientDuplicateRow, 'id' | 'score' | 'grade' | 'contributions' | 'found_at'> & {
  a: PatientRecordJson;
  b: PatientRecordJson;
};

/**
 * Up to `limit` pairs found before the pair `beforeId` (all when undefined), newest first: only pairs of two live
 * patients never decided "not a duplicate" (a scan drops the others later; until then they are left out here).
 * Each patient of the first `audited` pairs is recorded as read (`list`) by the same statement.
 */
export async function pairPage(
  db: Db,
  page: { beforeId?: number; limit: number },
  audit: { actor: string; requestId: string; audited: number },
): Promise<PairPageRow[]> {
  const { rows } = await sql<PairPageRow>`
    with page as (
      select d.id, d.score, d.grade, d.contributions, d.found_at, to_jsonb(a) as a, to_jsonb(b) as b
      from patient_duplicates d
        join patients a on a.id = d.patient_a and a.deleted_at is null
        join patients b on b.id = d.patient_b and b.deleted_at is null
      where (${page.beforeId ?? null}::bigint is null or d.id < ${page.beforeId ?? null}::bigint)
        and not exists (select from patient_duplicate_decisions x where x.patient_a = d.patient_a and x.patient_b = d.patient_b)
      order by d.id desc
      limit ${page.limit}
    ),
    shown as (select distinct (patient ->> 'id')::uuid as id from (select a, b from page order by id desc limit ${audit.audited}) p,
      lateral (values (p.a), (p.b)) v (patient)),
    audited as (
      insert into audit_events (actor_sub, action, patient_id, outcome, request_id)
      select ${audit.actor}::text, 'list', id, 'success', ${audit.requestId}::text from shown
    )
    select * from page order by id desc`.execute(db);
  return rows;
}

/**
 * Locks the live patients among `ids` against deletion and merging (for share) and returns their ids, in id order
 * as merges lock them, so a decision and a merge of the same pair wait for each other rather than deadlock.
 */
export async function lockLivePatients(trx: Transaction<Database>, ids: string[]): Promise<string[]> {
  const rows = await trx.selectFrom('patients').select('id').where('id', 'in', ids).where('deleted_at', 'is', null).orderBy('id').forShare().execute();
  return rows.map((row) => row.id);
}

/** Records a decision; `undefined` when the pair was already decided (the first decision stands). */
export function insertDecision(trx: Transaction<Database>, pair: { patientA: string; patientB: string }, decision: DuplicateDecision, actor: string) {
  return trx
    .insertInto('patient_duplicate_decisions')
    .values({ patient_a: pair.patientA, patient_b: pair.patientB, decision, actor_sub: actor })
    .onConflict((oc) => oc.columns(['patient_a', 'patient_b']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function findDecision(db: Db, pair: { patientA: string; patientB: string }) {
  return db.selectFrom('patient_duplicate_decisions').selectAll().where('patient_a', '=', pair.patientA).where('patient_b', '=', pair.patientB).executeTakeFirst();
}

export async function deletePair(db: Db, pair: { patientA: string; patientB: string }): Promise<void> {
  await db.deleteFrom('patient_duplicates').where('patient_a', '=', pair.patientA).where('patient_b', '=', pair.patientB).execute();
}
