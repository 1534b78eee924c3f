/**
 * SQL for merging patients (issue 21; migration 2026-12-07T0004). Every function runs inside the merge's or the
 * unmerge's transaction, after both patients were locked by `lockPatients`.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../shared/db.schema.js';
import type { MergeFieldOrigin, PatientRow } from './patient.table.js';
import { versionRecord } from './patients.repository.js';

type Trx = Transaction<Database>;

/**
 * Both patients, whatever their state, locked until the transaction ends, in id order: two merges of the same pair
 * in opposite directions wait for each other instead of deadlocking. `for no key update`, as `lockLivePatient`: a
 * duplicate scan writing a pair of these two holds the foreign key's share lock on each, which a `for update` lock
 * waits for, and the scan's second row then waited for ours: a deadlock, and the merge answered 503.
 */
export function lockPatients(trx: Trx, ids: [string, string]) {
  return trx.selectFrom('patients').selectAll().where('id', 'in', ids).orderBy('id').forNoKeyUpdate().execute();
}

/**
 * The source leaves the live set (as a deletion does, so no search, index or uniqueness rule of live records sees
 * it) pointing at its target; its identifier rows (MRN and former MRNs included) move to the target. Returns the
 * source as it now reads and the identifier pairs moved.
 */
export async function retireSource(trx: Trx, source: PatientRow, targetId: string, actor: string) {
  const retired = await trx
    .with('changed', (qc) =>
      qc
        .updateTable('patients')
        .set({ deleted_at: sql<Date>`now()`, updated_at: sql<Date>`now()`, merged_into: targetId, version: source.version + 1 })
        .where('id', '=', source.id)
        .returningAll(),
    )
    .with('unworded', (qc) => qc.deleteFrom('patient_name_words').where('patient_id', '=', source.id))
    .with('versioned', (qc) =>
      qc
        .insertInto('patient_versions')
        .columns(['patient_id', 'version', 'actor_sub', 'action', 'record'])
        .expression(sql`select id, version, ${actor}::text, 'merge', ${versionRecord('changed')} from changed`),
    )
    .selectFrom('changed')
    .selectAll()
    .executeTakeFirstOrThrow();
  const moved = await trx
    .updateTable('patient_identifiers')
    .set({ patient_id: targetId })
    .where('patient_id', '=', source.id)
    .where('live', '=', true)
    .returning(['system', 'value'])
    .execute();
  return { retired, moved };
}

/** The identifier pairs a merge moved go back from the target to the source. */
export function returnIdentifiers(trx: Trx, merge: { source_id: string; target_id: string; moved_identifiers: { system: string; value: string }[] }) {
  const systems = merge.moved_identifiers.map((i) => i.system);
  const values = merge.moved_identifiers.map((i) => i.value);
  return trx
    .updateTable('patient_identifiers')
    .set({ patient_id: merge.source_id })
    .where('patient_id', '=', merge.target_id)
    .where(sql<boolean>`(system, value) in (select * from unnest(${systems}::text[], ${values}::text[]))`)
    .execute();
}

/** A merged source live again, as it was before the merge (its values never changed while merged). */
export function restoreSource(trx: Trx, source: PatientRow, actor: string) {
  return trx
    .with('changed', (qc) =>
      qc
        .updateTable('patients')
        .set({ deleted_at: null, merged_into: null, updated_at: sql<Date>`now()`, version: source.version + 1 })
        .where('id', '=', source.id)
        .returningAll(),
    )
    .with('worded', (qc) =>
      qc
        .insertInto('patient_name_words')
        .columns(['word', 'part', 'seq', 'patient_id'])
        .expression(sql`select w.word, w.part, changed.seq, changed.id from changed, pm_name_words_of(changed.name, changed.family, changed.given) as w`),
    )
    .with('versioned', (qc) =>
      qc
        .insertInto('patient_versions')
        .columns(['patient_id', 'version', 'actor_sub', 'action', 'record'])
        .expression(sql`select id, version, ${actor}::text, 'unmerge', ${versionRecord('changed')} from changed`),
    )
    .selectFrom('changed')
    .selectAll()
    .executeTakeFirstOrThrow();
}

export interface NewMerge {
  id: string;
  sourceId: string;
  targetId: string;
  versionsBefore: { source: number; target: number };
  versionsAfter: { source: number; target: number };
  moved: { system: string; value: string }[];
  fields: Record<string, MergeFieldOrigin>;
  actor: string;
}

export async function insertMerge(trx: Trx, merge: NewMerge): Promise<void> {
  await trx
    .insertInto('patient_merges')
    .values({
      id: merge.id,
      source_id: merge.sourceId,
      target_id: merge.targetId,
      source_version_before: merge.versionsBefore.source,
      target_version_before: merge.versionsBefore.target,
      source_version_after: merge.versionsAfter.source,
      target_version_after: merge.versionsAfter.target,
      moved_identifiers: JSON.stringify(merge.moved),
      fields: JSON.stringify(merge.fields),
      actor_sub: merge.actor,
    })
    .execute();
}

/** A merge, locked until the transaction ends (two unmerges of one merge run one after the other). */
export function lockMerge(trx: Trx, id: string) {
  return trx.selectFrom('patient_merges').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function markUnmerged(trx: Trx, id: string, actor: string): Promise<void> {
  await trx.updateTable('patient_merges').set({ unmerged_at: sql<Date>`now()`, unmerged_by: actor }).where('id', '=', id).execute();
}

/** The version of a patient's record a merge replaced. */
export function recordAtVersion(trx: Trx, patientId: string, version: number) {
  return trx.selectFrom('patient_versions').select('record').where('patient_id', '=', patientId).where('version', '=', version).executeTakeFirst();
}

/** The merges a patient took part in, as source or target, newest first, with both records' current versions. */
export function mergesOf(db: Kysely<Database>, patientId: string) {
  return db
    .selectFrom('patient_merges')
    .innerJoin('patients as source', 'source.id', 'patient_merges.source_id')
    .innerJoin('patients as target', 'target.id', 'patient_merges.target_id')
    .selectAll('patient_merges')
    .select(['source.version as source_version', 'target.version as target_version'])
    .where((eb) => eb.or([eb('source_id', '=', patientId), eb('target_id', '=', patientId)]))
    .orderBy('merged_at', 'desc')
    .limit(100)
    .execute();
}
