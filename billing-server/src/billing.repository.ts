/** SQL of the billing schema. Every function takes a Kysely or a Transaction: the caller owns the transaction. */
import type { AccountRow, InvoiceLineItemRow, InvoiceRow } from './billing.tables.js';
import type { BillingExecutor } from './db.js';
import type { AccountStatus, BillingAccount, InvoiceLineItem, NewBillingAccount } from './billing.model.js';

/** An invoice header as stored, before its line items are attached. */
export interface StoredInvoice {
  invoiceId: string;
  accountId: string;
  sequence: string;
  requestFingerprint: string;
  currency: string;
  totalAmount: number;
  status: string;
  createdAt: Date;
}

export interface NewInvoiceRow {
  accountId: string;
  idempotencyKey: string;
  requestFingerprint: string;
  currency: string;
  totalAmount: number;
}

/** Undefined when the patient already has an account (the unique patient_id made the insert a no-op). */
export async function insertAccountUnlessExists(
  db: BillingExecutor,
  account: NewBillingAccount,
): Promise<BillingAccount | undefined> {
  const row = await db
    .insertInto('billing.accounts')
    .values({ patient_id: account.patientId, name: account.name, email: account.email })
    .onConflict((conflict) => conflict.column('patient_id').doNothing())
    .returning(['account_id', 'patient_id', 'status', 'created_at'])
    .executeTakeFirst();
  return row && toAccount(row);
}

export async function findAccountByPatientId(db: BillingExecutor, patientId: string): Promise<BillingAccount | undefined> {
  const row = await db
    .selectFrom('billing.accounts')
    .select(['account_id', 'patient_id', 'status', 'created_at'])
    .where('patient_id', '=', patientId)
    .executeTakeFirst();
  return row && toAccount(row);
}

export async function accountExists(db: BillingExecutor, accountId: string): Promise<boolean> {
  const row = await db
    .selectFrom('billing.accounts')
    .select('account_id')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The status of an account, share-locked until the transaction ends: a merge of the account (which locks it for
 * update) waits for the invoice being issued, and an invoice waits for the merge, so none is left behind.
 * Undefined when there is no such account.
 */
export async function lockAccountStatusForInvoice(db: BillingExecutor, accountId: string): Promise<AccountStatus | undefined> {
  const row = await db
    .selectFrom('billing.accounts')
    .select('status')
    .where('account_id', '=', accountId)
    .forShare()
    .executeTakeFirst();
  // The check constraint of the accounts table limits the column to these values.
  return row?.status as AccountStatus | undefined;
}

/** Undefined when the account already issued an invoice with this idempotency key. */
export async function insertInvoiceUnlessKeyUsed(db: BillingExecutor, invoice: NewInvoiceRow): Promise<StoredInvoice | undefined> {
  const row = await db
    .insertInto('billing.invoices')
    .values({
      account_id: invoice.accountId,
      issued_account_id: invoice.accountId,
      idempotency_key: invoice.idempotencyKey,
      request_fingerprint: invoice.requestFingerprint,
      currency: invoice.currency,
      total_amount: invoice.totalAmount,
    })
    .onConflict((conflict) => conflict.columns(['issued_account_id', 'idempotency_key']).doNothing())
    .returningAll()
    .executeTakeFirst();
  return row && toStoredInvoice(row);
}

/** By the account the invoice was issued to, which a merge may have moved it away from since. */
export async function findInvoiceByIdempotencyKey(
  db: BillingExecutor,
  accountId: string,
  idempotencyKey: string,
): Promise<StoredInvoice | undefined> {
  const row = await db
    .selectFrom('billing.invoices')
    .selectAll()
    .where('issued_account_id', '=', accountId)
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
  return row && toStoredInvoice(row);
}

/** Newest first; `beforeSequence` continues after the last invoice of the previous page. */
export async function listInvoicesOfAccount(
  db: BillingExecutor,
  accountId: string,
  page: { limit: number; beforeSequence?: string },
): Promise<StoredInvoice[]> {
  let query = db.selectFrom('billing.invoices').selectAll().where('account_id', '=', accountId);
  if (page.beforeSequence !== undefined) query = query.where('sequence', '<', page.beforeSequence);
  const rows = await query.orderBy('sequence', 'desc').limit(page.limit).execute();
  return rows.map(toStoredInvoice);
}

export async function insertLineItems(db: BillingExecutor, invoiceId: string, lineItems: readonly InvoiceLineItem[]): Promise<void> {
  await db
    .insertInto('billing.invoice_line_items')
    .values(
      lineItems.map((item, position) => ({
        invoice_id: invoiceId,
        position,
        description: item.description,
        quantity: item.quantity,
        unit_amount: item.unitAmount,
      })),
    )
    .execute();
}

/** Line items of several invoices at once (one query per page), in their original order. */
export async function findLineItemsOfInvoices(
  db: BillingExecutor,
  invoiceIds: readonly string[],
): Promise<Map<string, InvoiceLineItem[]>> {
  const byInvoice = new Map<string, InvoiceLineItem[]>(invoiceIds.map((id) => [id, []]));
  if (invoiceIds.length === 0) return byInvoice;
  const rows = await db
    .selectFrom('billing.invoice_line_items')
    .selectAll()
    .where('invoice_id', 'in', invoiceIds)
    .orderBy('invoice_id')
    .orderBy('position')
    .execute();
  for (const row of rows) byInvoice.get(row.invoice_id)?.push(toLineItem(row));
  return byInvoice;
}

function toAccount(row: Pick<AccountRow, 'account_id' | 'patient_id' | 'status' | 'created_at'>): BillingAccount {
  return {
    accountId: row.account_id,
    patientId: row.patient_id,
    // The check constraint in migration 001 limits the column to these values.
    status: row.status as AccountStatus,
    createdAt: row.created_at,
  };
}

function toStoredInvoice(row: InvoiceRow): StoredInvoice {
  return {
    invoiceId: row.invoice_id,
    accountId: row.account_id,
    sequence: row.sequence,
    requestFingerprint: row.request_fingerprint,
    currency: row.currency,
    // Safe: totals are checked against Number.MAX_SAFE_INTEGER before they are stored.
    totalAmount: Number(row.total_amount),
    status: row.status,
    createdAt: row.created_at,
  };
}

function toLineItem(row: InvoiceLineItemRow): InvoiceLineItem {
  return { description: row.description, quantity: row.quantity, unitAmount: Number(row.unit_amount) };
}
