import { sql, type Kysely } from 'kysely';

/**
 * The patient list pages through live records in `seq` order. Deleted records stay (soft delete), and the
 * oldest are the likeliest deleted: over the unique `seq` index every page first stepped over all of them
 * (8,000 deleted rows made a page of 20 cost 3 ms instead of 0.05 ms). This index holds live records only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index patients_live_seq_idx on patients (seq) where deleted_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index patients_live_seq_idx`.execute(db);
}
