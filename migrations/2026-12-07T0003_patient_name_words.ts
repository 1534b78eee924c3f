import { sql, type Kysely } from 'kysely';

/**
 * A FHIR name search is a prefix of any word of a name, shown in creation order: `name=moha` wants the first 20
 * live patients, by `seq`, with a word starting "moha". Neither the trigram nor the prefix GIN index can give rows in
 * `seq` order, so the planner walked every live record in `seq` order testing each (4,000 pages for a common prefix
 * at a million patients). This table holds each live patient's folded name words in byte order beside the
 * patient's `seq`: a prefix is one range of the index, read without touching the patients table, and its first
 * 20 by `seq` a top-N sort of that range. Kept by the statements that write patients (patients.repository.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Each folded word of a record's names, with the part it is from (a `given` search looks at given names only).
  await sql`create or replace function pm_name_words_of(name text, family text, given text[]) returns table (word text, part text)
    language sql immutable parallel safe as $$
      select w, 'family' from regexp_split_to_table(pm_fold(coalesce(family, '')), '\\s+') w where w <> ''
      union select w, 'given' from unnest(given) g, regexp_split_to_table(pm_fold(g), '\\s+') w where w <> ''
      union select w, 'text' from regexp_split_to_table(pm_fold(coalesce(name, '')), '\\s+') w where w <> ''
    $$`.execute(db);
  await sql`create table patient_name_words (
    word text collate "C" not null,
    part text not null check (part in ('family', 'given', 'text')),
    seq bigint not null,
    patient_id uuid not null references patients (id)
  )`.execute(db);
  await sql`create index patient_name_words_word_idx on patient_name_words (word, seq) include (part, patient_id)`.execute(db);
  // A common prefix ("mar": tens of thousands of words) is found sooner by walking the words in `seq` order than by
  // sorting its whole range; the planner chooses between the two indexes by the prefix's estimated rows.
  await sql`create index patient_name_words_seq_idx on patient_name_words (seq) include (word, part, patient_id)`.execute(db);
  await sql`create index patient_name_words_patient_idx on patient_name_words (patient_id)`.execute(db);
  await sql`insert into patient_name_words (word, part, seq, patient_id)
    select w.word, w.part, p.seq, p.id from patients p, pm_name_words_of(p.name, p.family, p.given) w where p.deleted_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table patient_name_words`.execute(db);
  await sql`drop function pm_name_words_of(text, text, text[])`.execute(db);
}
