import { sql, type Kysely } from 'kysely';

/**
 * What a clinic records and FHIR exchanges (issue 20): a medical record number (MRN) the system assigns,
 * external identifiers, a structured name, gender and phone, and every version of a record.
 *
 * - `mrn`: `MRN-000123`, from a sequence, so never reused (a deleted patient's MRN stays theirs).
 * - `identifiers` on the row (jsonb) is what the record says; `patient_identifiers` indexes it with the MRN, so
 *   that a (system, value) pair belongs to at most one live patient (a partial unique index) and a search by
 *   identifier is one index probe. A soft delete marks the patient's pairs not live: they may be reused.
 * - Name search is a FHIR string search: prefix, case- and accent-insensitive. `pm_fold` (unaccent + lower,
 *   declared immutable so that it can be indexed; unaccent's dictionary is named so that it is) gives the
 *   folded forms the indexes hold.
 * - `patient_versions` holds each version of a record as it was written (who, when, what), the current one
 *   included: vread and history read it. Existing records get their current version as their first.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists unaccent`.execute(db);
  await sql`create or replace function pm_fold(text) returns text language sql immutable parallel safe strict
    as $$ select lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$`.execute(db);
  // Every word of a patient's names, folded, each after a space: a name search for a prefix is a LIKE '% prefix%'
  // that the trigram index answers. (concat_ws and array_to_string are only stable, so wrapped here.)
  await sql`create or replace function pm_name_words(name text, family text, given text[]) returns text
    language sql immutable parallel safe
    as $$ select ' ' || pm_fold(regexp_replace(coalesce(name, '') || ' ' || coalesce(family, '') || ' ' || coalesce(array_to_string(given, ' '), ''), '\\s+', ' ', 'g')) $$`.execute(db);
  await sql`create sequence patient_mrn_seq`.execute(db);
  // Six digits at least; more when the clinic passes a million records (never truncated).
  await sql`create or replace function next_patient_mrn() returns text language sql volatile
    as $$ select 'MRN-' || lpad(n::text, greatest(6, length(n::text)), '0') from nextval('patient_mrn_seq') as n $$`.execute(db);

  await sql`alter table patients
    add column mrn text,
    add column family text,
    add column given text[] not null default '{}',
    add column gender text check (gender in ('male', 'female', 'other', 'unknown')),
    add column phone text,
    add column identifiers jsonb not null default '[]'::jsonb`.execute(db);
  // Existing records: an MRN in the order they were created, and the structured name their display name gives
  // (the last word the family name, the words before it the given names).
  await sql`update patients p set mrn = 'MRN-' || lpad(o.n::text, greatest(6, length(o.n::text)), '0')
    from (select id, row_number() over (order by seq) as n from patients) o where p.id = o.id`.execute(db);
  await sql`select setval('patient_mrn_seq', greatest(1, (select count(*) from patients)), (select count(*) > 0 from patients))`.execute(db);
  await sql`update patients set
    family = nullif((regexp_match(btrim(name), '(\\S+)$'))[1], ''),
    given = coalesce(regexp_split_to_array(nullif(btrim(regexp_replace(btrim(name), '\\s*\\S+$', '')), ''), '\\s+'), '{}')`.execute(db);
  await sql`alter table patients alter column mrn set default next_patient_mrn(), alter column mrn set not null`.execute(db);
  await sql`alter table patients add constraint patients_mrn_key unique (mrn)`.execute(db);
  await sql`alter table patients
    add column family_folded text generated always as (coalesce(pm_fold(family), '')) stored,
    add column name_words_folded text generated always as (pm_name_words(name, family, given)) stored,
    add column phone_digits text generated always as (nullif(regexp_replace(phone, '\\D', '', 'g'), '')) stored`.execute(db);

  // In byte order ("C"): one index serves both a family prefix (LIKE 'smi%') and the order of _sort=family.
  await sql`create index patients_live_family_idx on patients ((family_folded collate "C"), seq) where deleted_at is null`.execute(db);
  // :contains (anywhere in a word) only.
  await sql`create index patients_live_words_trgm_idx on patients using gin (name_words_folded gin_trgm_ops) where deleted_at is null`.execute(db);
  await sql`create index patients_live_phone_idx on patients (phone_digits) where deleted_at is null`.execute(db);
  await sql`create index patients_live_updated_idx on patients (updated_at, seq) where deleted_at is null`.execute(db);
  await sql`create index patients_live_dob_seq_idx on patients (date_of_birth, seq) where deleted_at is null`.execute(db);

  await sql`create table patient_identifiers (
    patient_id uuid not null references patients (id),
    system text not null,
    value text not null,
    live boolean not null default true,
    primary key (patient_id, system, value)
  )`.execute(db);
  await sql`create unique index patient_identifiers_live_key on patient_identifiers (system, value) where live`.execute(db);
  await sql`create index patient_identifiers_live_value_idx on patient_identifiers (value) where live`.execute(db);
  await sql`insert into patient_identifiers (patient_id, system, value, live)
    select id, ${mrnSystemOfMigration()}, mrn, deleted_at is null from patients`.execute(db);

  await sql`create table patient_versions (
    patient_id uuid not null references patients (id),
    version integer not null,
    recorded_at timestamptz not null default now(),
    actor_sub text not null,
    action text not null check (action in ('create', 'update', 'delete', 'migrate')),
    record jsonb not null,
    primary key (patient_id, version)
  )`.execute(db);
  await sql`insert into patient_versions (patient_id, version, recorded_at, actor_sub, action, record)
    select id, version, updated_at, 'migration', 'migrate', to_jsonb(p) - 'family_folded' - 'name_words_folded' - 'phone_digits' - 'seq'
    from patients p`.execute(db);
}

/** The MRN system the migration indexes existing MRNs under: the setting the functions read (config.ts). */
function mrnSystemOfMigration(): string {
  return process.env.MRN_SYSTEM || 'https://patient-management.dev/fhir/sid/mrn';
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table patient_versions`.execute(db);
  await sql`drop table patient_identifiers`.execute(db);
  await sql`alter table patients drop column family_folded, drop column name_words_folded, drop column phone_digits,
    drop column mrn, drop column family, drop column given, drop column gender, drop column phone, drop column identifiers`.execute(db);
  await sql`drop function next_patient_mrn()`.execute(db);
  await sql`drop sequence patient_mrn_seq`.execute(db);
  await sql`drop function pm_name_words(text, text, text[])`.execute(db);
  await sql`drop function pm_fold(text)`.execute(db);
}
