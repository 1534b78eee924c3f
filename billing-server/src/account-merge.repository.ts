/** SQL of merges of accounts (MergeAccounts). Every function takes a Kysely or a Transaction: the caller owns it. */
import { sql } from 'kysely';
import type { AccountMerge, AccountMergeRequest, AccountStatus } from './billing.model.js';
import type { AccountMergeRow } from './billing.tables.js';
import type { BillingExecutor } from './db.js';

export interface LockedAccount {
  accountId: string;
  patientId: string;
  name: string;
  email: string;
  status: AccountStatus;
}

/** Undefined when a record of this merge_id exists already (a concurrent insert waits until the other commits). */
export async function insertMergeUnlessExists(
  db: BillingExecutor,
  merge: AccountMergeRequest,
  state: { merged: boolean },
): Promise<AccountMergeRow | undefined> {
  return db
    .insertInto('billing.account_merges')
    .values({
      merge_id: merge.mergeId,
      source_patient_id: merge.sourcePatientId,
      target_patient_id: merge.targetPatientId,
      // An undo that finds no merge records one that never took effect: merged_at null, undone_at now.
      merged_at: state.merged ? sql<Date>`now()` : null,
      undone_at: state.merged ? null : sql<Date>`now()`,
    })
    .onConflict((conflict) => conflict.column('merge_id').doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** The merge's record, locked for update until the transaction ends: an undo and a retried merge wait for each other. */
export async function lockMerge(db: BillingExecutor, mergeId: string): Promise<AccountMergeRow | undefined> {
  return db.selectFrom('billing.account_merges').selectAll().where('merge_id', '=', mergeId).forUpdate().executeTakeFirst();
}

export async function updateMerge(
  db: BillingExecutor,
  mergeId: string,
  values: Partial<Pick<AccountMergeRow, 'source_account_id' | 'target_account_id' | 'target_account_opened'>> & { undone?: true },
): Promise<AccountMergeRow> {
  const { undone, ...columns } = values;
  return db
    .updateTable('billing.account_merges')
    .set({ ...columns, ...(undone ? { undone_at: sql<Date>`now()` } : {}) })
    .where('merge_id', '=', mergeId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The accounts of these patients, locked for update in one statement and one order, so two merges cannot deadlock. */
export async function lockAccountsOfPatients(db: BillingExecutor, patientIds: readonly string[]): Promise<Map<string, LockedAccount>> {
  const rows = await db
    .selectFrom('billing.accounts')
    .select(['account_id', 'patient_id', 'name', 'email', 'status'])
    .where('patient_id', 'in', patientIds)
    .orderBy('account_id')
    .forUpdate()
    .execute();
  return new Map(
    rows.map((row) => [
      row.patient_id,
      // The check constraint of the accounts table limits status to these values.
      { accountId: row.account_id, patientId: row.patient_id, name: row.name, email: row.email, status: row.status as AccountStatus },
    ]),
  );
}

/**
 * Opens an account for a patient who had none; undefined when one appeared meanwhile (a concurrent
 * CreateBillingAccount won: the insert waited for it and did nothing).
 */
export async function insertAccountUnlessExists(
  db: BillingExecutor,
  account: { patientId: string; name: string; email: string },
): Promise<string | undefined> {
  const row = await db
    .insertInto('billing.accounts')
    .values({ patient_id: account.patientId, name: account.name, email: account.email })
    .onConflict((conflict) => conflict.column('patient_id').doNothing())
    .returning('account_id')
    .executeTakeFirst();
  return row?.account_id;
}

export async function setAccountStatus(db: BillingExecutor, accountId: string, status: AccountStatus): Promise<void> {
  await db.updateTable('billing.accounts').set({ status }).where('account_id', '=', accountId).execute();
}

/** Moves every invoice of one account to another and records which ones moved under the merge. */
export async function moveInvoicesOfAccount(db: BillingExecutor, mergeId: string, fromAccountId: string, toAccountId: string): Promise<string[]> {
  const moved = await db
    .updateTable('billing.invoices')
    .set({ account_id: toAccountId })
    .where('account_id', '=', fromAccountId)
    .returning('invoice_id')
    .execute();
  if (moved.length > 0) {
    await db
      .insertInto('billing.account_merge_invoices')
      .values(moved.map((row) => ({ merge_id: mergeId, invoice_id: row.invoice_id })))
      .execute();
  }
  return moved.map((row) => row.invoice_id);
}

/** Moves the invoices a merge moved (and only those) to the given account. */
export async function moveMergedInvoices(db: BillingExecutor, mergeId: string, toAccountId: string): Promise<void> {
  await db
    .updateTable('billing.invoices')
    .set({ account_id: toAccountId })
    .where('invoice_id', 'in', (eb) => eb.selectFrom('billing.account_merge_invoices').select('invoice_id').where('merge_id', '=', mergeId))
    .execute();
}

/** The invoices a merge moved, in the order they were issued. */
export async function findMergedInvoiceIds(db: BillingExecutor, mergeId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('billing.account_merge_invoices as moved')
    .innerJoin('billing.invoices as invoice', 'invoice.invoice_id', 'moved.invoice_id')
    .select('moved.invoice_id')
    .where('moved.merge_id', '=', mergeId)
    .orderBy('invoice.sequence')
    .execute();
  return rows.map((row) => row.invoice_id);
}

export function toAccountMerge(row: AccountMergeRow, movedInvoiceIds: string[]): AccountMerge {
  return {
    mergeId: row.merge_id,
    sourcePatientId: row.source_patient_id,
    targetPatientId: row.target_patient_id,
    sourceAccountId: row.source_account_id ?? undefined,
    targetAccountId: row.target_account_id ?? undefined,
    targetAccountOpened: row.target_account_opened,
    movedInvoiceIds,
    mergedAt: row.merged_at ?? undefined,
    undoneAt: row.undone_at ?? undefined,
  };
}
