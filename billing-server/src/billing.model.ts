/** Plain types of the billing domain, independent of protobuf and SQL. */

export type AccountStatus = 'ACTIVE' | 'CLOSED';

export interface NewBillingAccount {
  patientId: string;
  name: string;
  email: string;
}

export interface BillingAccount {
  accountId: string;
  patientId: string;
  status: AccountStatus;
  createdAt: Date;
}

export interface InvoiceLineItem {
  description: string;
  quantity: number;
  /** Minor units of the invoice currency. */
  unitAmount: number;
}

export interface NewInvoice {
  accountId: string;
  idempotencyKey: string;
  currency: string;
  lineItems: InvoiceLineItem[];
}

export interface Invoice {
  invoiceId: string;
  accountId: string;
  currency: string;
  lineItems: InvoiceLineItem[];
  /** Minor units, computed by the server. */
  totalAmount: number;
  status: string;
  createdAt: Date;
}

export interface InvoicePageRequest {
  accountId: string;
  pageSize: number;
  pageToken: string;
}

export interface InvoicePage {
  invoices: Invoice[];
  /** Empty on the last page. */
  nextPageToken: string;
}
