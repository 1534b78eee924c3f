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
  /** The account the invoice belongs to now; a merge of accounts moves it (see issued_account_id). */
  account_id: string;
  /** The account it was issued to, for good: idempotency keys are unique per issuing account. */
  issued_account_id: string;
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

export interface AccountMergesTable {
  merge_id: string;
  source_patient_id: string;
  target_patient_id: string;
  source_account_id: string | null;
  target_account_id: string | null;
  target_account_opened: Generated<boolean>;
  /** Null for a merge seen only undone (its undo came first). */
  merged_at: Date | null;
  undone_at: Date | null;
}

export interface AccountMergeInvoicesTable {
  merge_id: string;
  invoice_id: string;
}

export interface BillingDatabase {
  'billing.accounts': AccountsTable;
  'billing.invoices': InvoicesTable;
  'billing.invoice_line_items': InvoiceLineItemsTable;
  'billing.account_merges': AccountMergesTable;
  'billing.account_merge_invoices': AccountMergeInvoicesTable;
}

export type AccountRow = Selectable<AccountsTable>;
export type InvoiceRow = Selectable<InvoicesTable>;
export type InvoiceLineItemRow = Selectable<InvoiceLineItemsTable>;
export type AccountMergeRow = Selectable<AccountMergesTable>;
