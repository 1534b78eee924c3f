/**
 * Billing rules: one account per patient, invoices whose totals the server computes, idempotent retries.
 * Plain functions over plain types; `signal` fires when the caller cancels or its deadline passes, so no work
 * starts (and no transaction commits) on behalf of a caller that has given up.
 */
import { BillingAccountNotFoundError, BillingPreconditionError, IdempotencyKeyReusedError } from './billing.errors.js';
import type { BillingAccount, Invoice, InvoicePage, InvoicePageRequest, NewBillingAccount, NewInvoice } from './billing.model.js';
import {
  accountExists,
  findAccountByPatientId,
  findInvoiceByIdempotencyKey,
  findLineItemsOfInvoices,
  insertAccountUnlessExists,
  insertInvoiceUnlessKeyUsed,
  insertLineItems,
  listInvoicesOfAccount,
  lockAccountStatusForInvoice,
  type StoredInvoice,
} from './billing.repository.js';
import type { BillingDb } from './db.js';
import { fingerprintInvoiceRequest } from './invoice-fingerprint.js';
import { computeInvoiceTotal } from './money.js';
import { decodeInvoicePageToken, encodeInvoicePageToken } from './page-token.js';

export interface BillingContext {
  db: BillingDb;
  signal: AbortSignal;
}

/** Idempotent per patient: a repeat (even a concurrent one) returns the first account, name and email unchanged. */
export async function openBillingAccount(context: BillingContext, account: NewBillingAccount): Promise<BillingAccount> {
  context.signal.throwIfAborted();
  const created = await insertAccountUnlessExists(context.db, account);
  if (created) return created;
  const existing = await findAccountByPatientId(context.db, account.patientId);
  // Accounts are never deleted, so the row that won the conflict is there.
  if (!existing) throw new Error('billing account disappeared after a patient_id conflict');
  return existing;
}

export async function getBillingAccount(context: BillingContext, patientId: string): Promise<BillingAccount> {
  context.signal.throwIfAborted();
  const account = await findAccountByPatientId(context.db, patientId);
  if (!account) throw new BillingAccountNotFoundError('no billing account for this patient_id');
  return account;
}

/** A retry with the same idempotency key returns the first invoice; the same key with another payload fails. */
export async function createInvoice(context: BillingContext, invoice: NewInvoice): Promise<Invoice> {
  const totalAmount = computeInvoiceTotal(invoice.lineItems);
  const requestFingerprint = fingerprintInvoiceRequest(invoice);
  context.signal.throwIfAborted();
  return context.db.transaction().execute(async (trx) => {
    const accountStatus = await lockAccountStatusForInvoice(trx, invoice.accountId);
    if (!accountStatus) throw new BillingAccountNotFoundError('no billing account with this account_id');
    // A merged account issues nothing new, but a retry still gets the invoice issued before the merge.
    // A concurrent call with the same key waits on the unique constraint until the first one commits.
    const inserted =
      accountStatus === 'MERGED' ? undefined : await insertInvoiceUnlessKeyUsed(trx, { ...invoice, requestFingerprint, totalAmount });
    if (inserted) {
      await insertLineItems(trx, inserted.invoiceId, invoice.lineItems);
      context.signal.throwIfAborted(); // rolls back: nobody is waiting for this invoice
      return withLineItems(inserted, invoice.lineItems);
    }
    const existing = await findInvoiceByIdempotencyKey(trx, invoice.accountId, invoice.idempotencyKey);
    if (!existing && accountStatus === 'MERGED') {
      throw new BillingPreconditionError('the billing account is merged into another patient\'s account: invoice that account');
    }
    if (!existing) throw new Error('invoice disappeared after an idempotency key conflict');
    if (existing.requestFingerprint !== requestFingerprint) {
      throw new IdempotencyKeyReusedError('idempotency_key was already used for a different invoice of this account');
    }
    const lineItems = await findLineItemsOfInvoices(trx, [existing.invoiceId]);
    return withLineItems(existing, lineItems.get(existing.invoiceId) ?? []);
  });
}

export async function listInvoices(context: BillingContext, request: InvoicePageRequest): Promise<InvoicePage> {
  const cursor = decodeInvoicePageToken(request.pageToken, request.accountId);
  context.signal.throwIfAborted();
  if (!(await accountExists(context.db, request.accountId))) {
    throw new BillingAccountNotFoundError('no billing account with this account_id');
  }
  // One extra row tells whether another page follows without a count query.
  const rows = await listInvoicesOfAccount(context.db, request.accountId, {
    limit: request.pageSize + 1,
    beforeSequence: cursor?.beforeSequence,
  });
  const page = rows.slice(0, request.pageSize);
  const lineItems = await findLineItemsOfInvoices(
    context.db,
    page.map((invoice) => invoice.invoiceId),
  );
  const last = page.at(-1);
  return {
    invoices: page.map((invoice) => withLineItems(invoice, lineItems.get(invoice.invoiceId) ?? [])),
    nextPageToken:
      rows.length > request.pageSize && last
        ? encodeInvoicePageToken({ accountId: request.accountId, beforeSequence: last.sequence })
        : '',
  };
}

function withLineItems(stored: StoredInvoice, lineItems: Invoice['lineItems']): Invoice {
  return {
    invoiceId: stored.invoiceId,
    accountId: stored.accountId,
    currency: stored.currency,
    lineItems,
    totalAmount: stored.totalAmount,
    status: stored.status,
    createdAt: stored.createdAt,
  };
}
