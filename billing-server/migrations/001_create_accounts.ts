import { sql, type Kysely } from 'kysely';

// Migrations take Kysely<unknown>: they must not depend on the current table types, which change later.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createSchema('billing').ifNotExists().execute();
  await db.schema
    .withSchema('billing')
    .createTable('accounts')
    .addColumn('account_id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // One account per patient: the unique constraint is what makes CreateBillingAccount idempotent under races.
    .addColumn('patient_id', 'uuid', (col) => col.notNull().unique())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('email', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('ACTIVE').check(sql`status in ('ACTIVE', 'CLOSED')`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.withSchema('billing').dropTable('accounts').execute();
}
