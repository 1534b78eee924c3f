/** Row types of the `billing` schema, as Kysely sees them (see migrations/ for the DDL). */
import type { ColumnType, Generated, Selectable } from 'kysely';

/** pg returns int8 as a string so no precision is lost; amounts are converted to numbers after range checks. */
type Int8 = ColumnType<string, number | string | bigint, number | string | bigint>;
type CreatedAt = ColumnType<Date, string | undefined, never>;

export interface AccountsTable {
  account_id: Generated<string>;
  patient_id: string;
  name: string;
  email: string;
  status: Generated<string>;
  created_at: CreatedAt;
}

export interface InvoicesTable {
  invoice_id: Generated<string>;
  /** Insertion order; the keyset of ListInvoices paging. */
  sequence: ColumnType<string, never, never>;
  account_id: string;
  idempotency_key: string;
  /** Hash of the request payload, to tell a retry from a different request reusing the key. */
  request_fingerprint: string;
  currency: string;
  total_amount: Int8;
  status: Generated<string>;
  created_at: CreatedAt;
}

export interface InvoiceLineItemsTable {
  invoice_id: string;
  position: number;
  description: string;
  quantity: number;
  unit_amount: Int8;
}

export interface BillingDatabase {
  'billing.accounts': AccountsTable;
  'billing.invoices': InvoicesTable;
  'billing.invoice_line_items': InvoiceLineItemsTable;
}

export type AccountRow = Selectable<AccountsTable>;
export type InvoiceRow = Selectable<InvoicesTable>;
export type InvoiceLineItemRow = Selectable<InvoiceLineItemsTable>;
