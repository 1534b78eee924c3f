import { sql, type Kysely } from 'kysely';

/** Analytics counts merges and their undoing (PatientEvent types PATIENT_MERGED and PATIENT_UNMERGED). */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['processed_events', 'daily_counts']) {
    await sql`alter table ${sql.table(`analytics.${table}`)} drop constraint ${sql.ref(`${table}_event_type_check`)}`.execute(db);
    await sql`alter table ${sql.table(`analytics.${table}`)} add constraint ${sql.ref(`${table}_event_type_check`)}
      check (event_type in ('created', 'updated', 'deleted', 'merged', 'unmerged'))`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from analytics.processed_events where event_type in ('merged', 'unmerged')`.execute(db);
  await sql`delete from analytics.daily_counts where event_type in ('merged', 'unmerged')`.execute(db);
  for (const table of ['processed_events', 'daily_counts']) {
    await sql`alter table ${sql.table(`analytics.${table}`)} drop constraint ${sql.ref(`${table}_event_type_check`)}`.execute(db);
    await sql`alter table ${sql.table(`analytics.${table}`)} add constraint ${sql.ref(`${table}_event_type_check`)}
      check (event_type in ('created', 'updated', 'deleted'))`.execute(db);
  }
}
