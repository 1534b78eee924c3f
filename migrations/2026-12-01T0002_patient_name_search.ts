import { sql, type Kysely } from 'kysely';

/**
 * "Find a patient by name as they type" is a substring search (`name ILIKE '%…%'`): without a trigram
 * index every keystroke scans the whole table. pg_trgm ships with PostgreSQL (contrib) and RDS/Aurora.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create index patients_live_name_trgm_idx on patients using gin (name gin_trgm_ops) where deleted_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index patients_live_name_trgm_idx`.execute(db);
}
