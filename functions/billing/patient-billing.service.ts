/**
 * A patient's billing account and invoices, and charging a patient: all through the billing server over gRPC.
 * Amounts leave here as decimal strings in major units ("123.45"); the billing server counts minor units.
 */
import { AppError, conflict, notFound, serviceUnavailable, validationFailed } from '../shared/errors.js';
import {
  BillingAccountNotFoundError,
  BillingUnavailableError,
  createInvoice,
  getBillingAccount,
  listInvoices,
  status,
  type Invoice,
} from './billing.client.js';
import { fromMinorUnits, isKnownCurrency, toMinorUnits } from './money.js';

/** How many of the newest invoices the billing view shows. */
export const INVOICES_SHOWN = 50;

const toInvoice = (invoice: Invoice) => ({
  id: invoice.invoiceId,
  accountId: invoice.accountId,
  currency: invoice.currency,
  description: invoice.lineItems[0]?.description ?? '',
  totalAmount: fromMinorUnits(invoice.totalAmount, invoice.currency),
  status: invoice.status,
  createdAt: invoice.createdAt,
  lineItems: invoice.lineItems.map((item) => ({
    description: item.description,
    quantity: item.quantity,
    unitAmount: fromMinorUnits(item.unitAmount, invoice.currency),
  })),
});

export type PatientInvoice = ReturnType<typeof toInvoice>;

/** The account and its newest invoices, newest first (ListInvoices' order). */
export async function patientBilling(patientId: string) {
  return withBillingErrors(async () => {
    const account = await getBillingAccount(patientId);
    const { invoices } = await listInvoices(account.accountId, { pageSize: INVOICES_SHOWN });
    return {
      account: { accountId: account.accountId, patientId: account.patientId, status: account.status, createdAt: account.createdAt },
      invoices: invoices.map(toInvoice),
    };
  }, () => notFound('The patient has no billing account yet; it is opened shortly after registration.'));
}

export interface NewCharge {
  amount: string;
  currency: string;
  description: string;
  idempotencyKey: string;
}

/**
 * Issues one invoice (one line item, quantity 1) on the patient's account. The billing server keeps the
 * idempotency key per account: the same key and charge return the first invoice, another charge is refused.
 */
export async function chargePatient(patientId: string, charge: NewCharge): Promise<PatientInvoice> {
  if (!isKnownCurrency(charge.currency)) throw validationFailed([{ field: '/currency', message: 'is not an ISO 4217 currency code' }]);
  const amount = toMinorUnits(charge.amount, charge.currency);
  if (!amount.ok) throw validationFailed([{ field: '/amount', message: amount.message }]);
  return withBillingErrors(async () => {
    const account = await getBillingAccount(patientId);
    const invoice = await createInvoice({
      accountId: account.accountId,
      idempotencyKey: charge.idempotencyKey,
      currency: charge.currency,
      lineItems: [{ description: charge.description.trim(), quantity: 1, unitAmount: amount.minorUnits }],
    });
    return toInvoice(invoice);
  }, () => conflict('billing-account-missing', 'The patient has no billing account yet; it is opened shortly after registration.'));
}

async function withBillingErrors<T>(work: () => Promise<T>, noAccount: () => AppError): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof BillingAccountNotFoundError) throw noAccount();
    if (error instanceof BillingUnavailableError) throw serviceUnavailable('The billing service is unreachable; try again shortly.');
    const code = (error as { code?: unknown }).code;
    if (code === status.ALREADY_EXISTS) {
      throw conflict('idempotency-key-reused', 'This Idempotency-Key was already used for a different charge; use a new key for a new charge.');
    }
    if (code === status.FAILED_PRECONDITION) {
      // The only precondition billing checks on a charge: the account was merged (MergeAccounts).
      throw conflict('billing-account-merged', "The patient's record was merged into another; charge the patient it was merged into.");
    }
    throw error;
  }
}
