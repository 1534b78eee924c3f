import { sql, type Kysely } from 'kysely';

/**
 * Merges of patients' accounts (MergeAccounts, proto/billing.proto).
 * - `account_merges`: one row per merge_id, the idempotency record of the call, also for a merge seen only undone.
 * - `account_merge_invoices`: exactly which invoices a merge moved, so an undo moves those back and no others.
 * - Accounts gain status MERGED.
 * - An invoice keeps the account it was issued to (`issued_account_id`): idempotency keys are unique per issuing
 *   account, so two accounts' invoices with the same key can end up on one account, and a retried CreateInvoice
 *   on a merged account still finds its invoice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table billing.accounts drop constraint accounts_status_check`.execute(db);
  await sql`alter table billing.accounts add constraint accounts_status_check check (status in ('ACTIVE', 'CLOSED', 'MERGED'))`.execute(db);

  await sql`alter table billing.invoices add column issued_account_id uuid references billing.accounts (account_id)`.execute(db);
  await sql`update billing.invoices set issued_account_id = account_id`.execute(db);
  await sql`alter table billing.invoices alter column issued_account_id set not null`.execute(db);
  await sql`alter table billing.invoices drop constraint invoices_account_idempotency_key_unique`.execute(db);
  await sql`alter table billing.invoices add constraint invoices_issued_account_idempotency_key_unique
    unique (issued_account_id, idempotency_key)`.execute(db);

  await db.schema
    .withSchema('billing')
    .createTable('account_merges')
    .addColumn('merge_id', 'uuid', (col) => col.primaryKey())
    .addColumn('source_patient_id', 'uuid', (col) => col.notNull())
    .addColumn('target_patient_id', 'uuid', (col) => col.notNull())
    .addColumn('source_account_id', 'uuid', (col) => col.references('billing.accounts.account_id'))
    .addColumn('target_account_id', 'uuid', (col) => col.references('billing.accounts.account_id'))
    .addColumn('target_account_opened', 'boolean', (col) => col.notNull().defaultTo(false))
    // Null for a merge whose undo arrived first: it never took effect.
    .addColumn('merged_at', 'timestamptz')
    .addColumn('undone_at', 'timestamptz')
    .addCheckConstraint('account_merges_distinct_patients', sql`source_patient_id <> target_patient_id`)
    .execute();

  await db.schema
    .withSchema('billing')
    .createTable('account_merge_invoices')
    .addColumn('merge_id', 'uuid', (col) => col.notNull().references('billing.account_merges.merge_id'))
    .addColumn('invoice_id', 'uuid', (col) => col.notNull().references('billing.invoices.invoice_id'))
    .addPrimaryKeyConstraint('account_merge_invoices_pkey', ['merge_id', 'invoice_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.withSchema('billing').dropTable('account_merge_invoices').execute();
  await db.schema.withSchema('billing').dropTable('account_merges').execute();
  await sql`alter table billing.invoices drop constraint invoices_issued_account_idempotency_key_unique`.execute(db);
  await sql`alter table billing.invoices add constraint invoices_account_idempotency_key_unique unique (account_id, idempotency_key)`.execute(db);
  await sql`alter table billing.invoices drop column issued_account_id`.execute(db);
  await sql`update billing.accounts set status = 'ACTIVE' where status = 'MERGED'`.execute(db);
  await sql`alter table billing.accounts drop constraint accounts_status_check`.execute(db);
  await sql`alter table billing.accounts add constraint accounts_status_check check (status in ('ACTIVE', 'CLOSED'))`.execute(db);
}
