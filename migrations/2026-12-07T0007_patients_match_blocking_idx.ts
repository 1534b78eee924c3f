import { sql, type Kysely } from 'kysely';

/**
 * `$match` finds candidates born on the probe's birth date or one of its likely mistypings (about 50 dates), the
 * mistyped dates only where the family name or the first name word begins with one of the probe's initials
 * (functions/patients/patient-match.repository.ts). With the birth date alone indexed, every record born on those
 * dates was read from the table to test the initials (about 900 pages at a million patients, three in four of them
 * thrown away); with the initials beside the birth date the index tells which rows to read.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index patients_live_match_block_idx on patients (date_of_birth, left(family_folded, 1), substr(name_words_folded, 2, 1))
    where deleted_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index patients_live_match_block_idx`.execute(db);
}
