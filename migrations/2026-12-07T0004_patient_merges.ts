import { sql, type Kysely } from 'kysely';

/**
 * Merging duplicate patients (issue 21).
 *
 * - A merged patient (the source) leaves the live set as a deleted one does (`deleted_at` set, so every partial
 *   index, search and uniqueness rule of live records leaves it out), with `merged_into` saying where it went: a
 *   read of it still answers, inactive and pointing at its target.
 * - The target gains the source's identifiers: their `patient_identifiers` rows move to it (so the source's MRN
 *   finds the target), the external ones join its `identifiers`, the MRNs its `former_mrns`; `merged_from` lists
 *   the patients it replaces.
 * - `patient_merges` records each merge: both records' versions before and after (an unmerge is allowed only while
 *   both are still at their "after" version), the identifier rows moved and which record each field came from.
 *   At most one standing (not undone) merge per source.
 * - New outbox destinations: `billing-merge` (the billing server's MergeAccounts / UnmergeAccounts calls) and
 *   `duplicates` (the duplicate report's incremental scan of a changed patient).
 * - The audit trail gains `details`: what a merge took from which record (field names and record ids, no values).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table patients
    add column merged_into uuid references patients (id),
    add column merged_from uuid[] not null default '{}',
    add column former_mrns text[] not null default '{}'`.execute(db);
  await sql`create index patients_merged_into_idx on patients (merged_into) where merged_into is not null`.execute(db);

  await sql`alter table patient_versions drop constraint patient_versions_action_check`.execute(db);
  await sql`alter table patient_versions add constraint patient_versions_action_check
    check (action in ('create', 'update', 'delete', 'migrate', 'merge', 'unmerge'))`.execute(db);

  await sql`alter table audit_events add column details jsonb`.execute(db);

  await sql`alter table outbox drop constraint outbox_destination_check`.execute(db);
  await sql`alter table outbox add constraint outbox_destination_check
    check (destination in ('billing', 'billing-merge', 'kafka', 'duplicates'))`.execute(db);

  await sql`create table patient_merges (
    id uuid primary key,
    source_id uuid not null references patients (id),
    target_id uuid not null references patients (id),
    source_version_before integer not null,
    target_version_before integer not null,
    source_version_after integer not null,
    target_version_after integer not null,
    moved_identifiers jsonb not null,
    fields jsonb not null,
    actor_sub text not null,
    merged_at timestamptz not null default now(),
    unmerged_at timestamptz,
    unmerged_by text,
    check (source_id <> target_id)
  )`.execute(db);
  await sql`create unique index patient_merges_standing_source_key on patient_merges (source_id) where unmerged_at is null`.execute(db);
  await sql`create index patient_merges_target_idx on patient_merges (target_id, merged_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table patient_merges`.execute(db);
  await sql`alter table outbox drop constraint outbox_destination_check`.execute(db);
  await sql`alter table outbox add constraint outbox_destination_check check (destination in ('billing', 'kafka'))`.execute(db);
  await sql`alter table audit_events drop column details`.execute(db);
  await sql`alter table patient_versions drop constraint patient_versions_action_check`.execute(db);
  await sql`alter table patient_versions add constraint patient_versions_action_check
    check (action in ('create', 'update', 'delete', 'migrate'))`.execute(db);
  await sql`drop index patients_merged_into_idx`.execute(db);
  await sql`alter table patients drop column merged_into, drop column merged_from, drop column former_mrns`.execute(db);
}
