/** Plain types of the billing domain, independent of protobuf and SQL. */

/** MERGED: the patient's record was merged into another; its invoices moved to that patient's account. */
export type AccountStatus = 'ACTIVE' | 'CLOSED' | 'MERGED';

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

export interface AccountMergeRequest {
  mergeId: string;
  sourcePatientId: string;
  targetPatientId: string;
}

export interface AccountMerge extends AccountMergeRequest {
  /** Undefined when the source had no account. */
  sourceAccountId?: string;
  /** Undefined when the target has no account and none was opened. */
  targetAccountId?: string;
  targetAccountOpened: boolean;
  movedInvoiceIds: string[];
  /** Undefined for a merge seen only undone (its undo arrived first). */
  mergedAt?: Date;
  /** Undefined while the merge stands. */
  undoneAt?: Date;
}
