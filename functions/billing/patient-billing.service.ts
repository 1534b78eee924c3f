/** A patient's billing account and recent invoices, fetched from the billing server over gRPC. */
import { notFound, serviceUnavailable } from '../shared/errors.js';
import {
  BillingAccountNotFoundError,
  BillingUnavailableError,
  getBillingAccount,
  listInvoices,
  type Invoice,
} from './billing.client.js';

const toInvoice = (invoice: Invoice) => ({
  invoiceId: invoice.invoiceId,
  currency: invoice.currency,
  lineItems: invoice.lineItems.map((item) => ({ description: item.description, quantity: item.quantity, unitAmount: item.unitAmount })),
  totalAmount: invoice.totalAmount,
  status: invoice.status,
  createdAt: invoice.createdAt,
});

export async function patientBilling(patientId: string) {
  try {
    const account = await getBillingAccount(patientId);
    const { invoices } = await listInvoices(account.accountId, { pageSize: 50 });
    return {
      account: { accountId: account.accountId, patientId: account.patientId, status: account.status, createdAt: account.createdAt },
      invoices: invoices.map(toInvoice),
    };
  } catch (error) {
    if (error instanceof BillingAccountNotFoundError) {
      throw notFound('The patient has no billing account yet; it is opened shortly after registration.');
    }
    if (error instanceof BillingUnavailableError) throw serviceUnavailable('The billing service is unreachable; try again shortly.');
    throw error;
  }
}
