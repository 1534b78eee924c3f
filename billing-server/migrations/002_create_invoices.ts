import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .withSchema('billing')
    .createTable('invoices')
    .addColumn('invoice_id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('sequence', 'bigint', (col) => col.notNull().generatedAlwaysAsIdentity().unique())
    .addColumn('account_id', 'uuid', (col) => col.notNull().references('billing.accounts.account_id'))
    .addColumn('idempotency_key', 'text', (col) => col.notNull())
    .addColumn('request_fingerprint', 'text', (col) => col.notNull())
    .addColumn('currency', 'char(3)', (col) => col.notNull())
    // Minor units (cents): money is never stored as a floating point number.
    .addColumn('total_amount', 'bigint', (col) => col.notNull().check(sql`total_amount >= 0`))
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('OPEN'))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    // A retried CreateInvoice hits this constraint instead of creating a second invoice.
    .addUniqueConstraint('invoices_account_idempotency_key_unique', ['account_id', 'idempotency_key'])
    .execute();

  // Serves ListInvoices: one account's invoices, newest first.
  await db.schema
    .withSchema('billing')
    .createIndex('invoices_account_sequence_idx')
    .on('invoices')
    .columns(['account_id', 'sequence desc'])
    .execute();

  await db.schema
    .withSchema('billing')
    .createTable('invoice_line_items')
    .addColumn('invoice_id', 'uuid', (col) => col.notNull().references('billing.invoices.invoice_id').onDelete('cascade'))
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull())
    .addColumn('quantity', 'integer', (col) => col.notNull().check(sql`quantity > 0`))
    .addColumn('unit_amount', 'bigint', (col) => col.notNull().check(sql`unit_amount >= 0`))
    .addPrimaryKeyConstraint('invoice_line_items_pkey', ['invoice_id', 'position'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.withSchema('billing').dropTable('invoice_line_items').execute();
  await db.schema.withSchema('billing').dropTable('invoices').execute();
}
