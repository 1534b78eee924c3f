import { sql, type Kysely } from 'kysely';

/**
 * The duplicate report (issue 21): pairs of live patients the matcher grades `probable` or `certain`, kept up to date
 * one changed patient at a time (the outbox destination `duplicates`, functions/patients/patient-duplicates.service.ts),
 * never by a scan of everyone.
 *
 * - A pair is stored once, its two ids in a fixed order (`patient_a < patient_b`). A scan of a patient replaces the
 *   pairs it is in; the `id` is the order pairs were found in, so "newest first, paged" is a walk down the primary
 *   key (the keyset cursor is the last id shown). `found_at` stays when a later scan finds the pair again.
 * - `patient_duplicate_decisions` remembers "Not a duplicate": such a pair is never stored or shown again.
 * - Both index their second patient, so a patient's pairs and decisions are found either way round.
 * - A hard-deleted patient row (tests remove rows they inserted by hand) takes its pairs and decisions with it.
 *   Soft-deleted and merged patients keep theirs until the next scan; the report leaves them out when it reads.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table patient_duplicates (
    id bigint generated always as identity primary key,
    patient_a uuid not null references patients (id) on delete cascade,
    patient_b uuid not null references patients (id) on delete cascade,
    score double precision not null check (score between 0 and 1),
    grade text not null check (grade in ('certain', 'probable')),
    contributions jsonb not null,
    found_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (patient_a < patient_b),
    unique (patient_a, patient_b)
  )`.execute(db);
  await sql`create index patient_duplicates_patient_b_idx on patient_duplicates (patient_b)`.execute(db);

  await sql`create table patient_duplicate_decisions (
    patient_a uuid not null references patients (id) on delete cascade,
    patient_b uuid not null references patients (id) on delete cascade,
    decision text not null check (decision in ('not-duplicate')),
    actor_sub text not null,
    decided_at timestamptz not null default now(),
    primary key (patient_a, patient_b),
    check (patient_a < patient_b)
  )`.execute(db);
  await sql`create index patient_duplicate_decisions_patient_b_idx on patient_duplicate_decisions (patient_b)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table patient_duplicate_decisions`.execute(db);
  await sql`drop table patient_duplicates`.execute(db);
}
