/**
 * Billing follows the person: when the patient service merges two records, the source patient's invoices move
 * to the target patient's account (MergeAccounts in proto/billing.proto says what happens in each case).
 * Idempotent per merge_id: the merge's record is inserted first, so a retry (even a concurrent one, which waits
 * on the record's key) finds it and answers from it instead of moving anything again.
 */
import {
  findMergedInvoiceIds,
  insertAccountUnlessExists,
  insertMergeUnlessExists,
  lockAccountsOfPatients,
  lockMerge,
  moveInvoicesOfAccount,
  moveMergedInvoices,
  setAccountStatus,
  toAccountMerge,
  updateMerge,
} from './account-merge.repository.js';
import { BillingPreconditionError, IdempotencyKeyReusedError } from './billing.errors.js';
import type { AccountMerge, AccountMergeRequest } from './billing.model.js';
import type { AccountMergeRow } from './billing.tables.js';
import type { BillingContext } from './billing.service.js';
import type { BillingExecutor } from './db.js';

export async function mergeAccounts(context: BillingContext, request: AccountMergeRequest): Promise<AccountMerge> {
  context.signal.throwIfAborted();
  return context.db.transaction().execute(async (trx) => {
    if (!(await insertMergeUnlessExists(trx, request, { merged: true }))) return recordedMerge(trx, request);

    const accounts = await lockAccountsOfPatients(trx, [request.sourcePatientId, request.targetPatientId]);
    const source = accounts.get(request.sourcePatientId);
    const target = accounts.get(request.targetPatientId);
    if (target?.status === 'MERGED') throw new BillingPreconditionError('the target patient\'s billing account is merged into another account');
    if (!source) {
      // Nothing to move; recorded all the same, so its undo (and a retry) find it.
      const row = await updateMerge(trx, request.mergeId, { target_account_id: target?.accountId ?? null });
      return toAccountMerge(row, []);
    }
    if (source.status === 'MERGED') throw new BillingPreconditionError('the source patient\'s billing account is already merged under another merge_id');

    let targetAccountId = target?.accountId;
    let opened = false;
    if (!targetAccountId) {
      // The invoices must belong to an account of the person: open the target's with the source's billing contact.
      targetAccountId = await insertAccountUnlessExists(trx, { patientId: request.targetPatientId, name: source.name, email: source.email });
      opened = targetAccountId !== undefined;
      targetAccountId ??= (await lockAccountsOfPatients(trx, [request.targetPatientId])).get(request.targetPatientId)?.accountId;
      if (!targetAccountId) throw new Error('billing account disappeared after a patient_id conflict');
    }
    await moveInvoicesOfAccount(trx, request.mergeId, source.accountId, targetAccountId);
    await setAccountStatus(trx, source.accountId, 'MERGED');
    const row = await updateMerge(trx, request.mergeId, {
      source_account_id: source.accountId,
      target_account_id: targetAccountId,
      target_account_opened: opened,
    });
    const merge = toAccountMerge(row, await findMergedInvoiceIds(trx, request.mergeId));
    context.signal.throwIfAborted(); // rolls back: nobody is waiting for this answer, a retry redoes it
    return merge;
  });
}

/**
 * Moves back exactly the invoices the merge moved and makes the source account ACTIVE again. An undo of a
 * merge billing has not seen is recorded as one that never took effect, so the merge arriving late is a no-op.
 */
export async function undoAccountMerge(context: BillingContext, request: AccountMergeRequest): Promise<AccountMerge> {
  context.signal.throwIfAborted();
  return context.db.transaction().execute(async (trx) => {
    let record = await lockMerge(trx, request.mergeId);
    if (!record) {
      const inserted = await insertMergeUnlessExists(trx, request, { merged: false });
      if (inserted) return toAccountMerge(inserted, []);
      // The merge itself committed meanwhile (the insert waited for it): undo it.
      record = await lockMerge(trx, request.mergeId);
      if (!record) throw new Error('account merge disappeared after a merge_id conflict');
    }
    checkSamePatients(record, request);
    if (record.undone_at) return toAccountMerge(record, await findMergedInvoiceIds(trx, request.mergeId));

    if (record.source_account_id) {
      // Locked as merges and invoices lock them: nothing is issued to either account while the invoices move.
      await lockAccountsOfPatients(trx, [request.sourcePatientId, request.targetPatientId]);
      await moveMergedInvoices(trx, request.mergeId, record.source_account_id);
      await setAccountStatus(trx, record.source_account_id, 'ACTIVE');
    }
    const row = await updateMerge(trx, request.mergeId, { undone: true });
    const merge = toAccountMerge(row, await findMergedInvoiceIds(trx, request.mergeId));
    context.signal.throwIfAborted();
    return merge;
  });
}

async function recordedMerge(trx: BillingExecutor, request: AccountMergeRequest): Promise<AccountMerge> {
  const record = await lockMerge(trx, request.mergeId);
  if (!record) throw new Error('account merge disappeared after a merge_id conflict');
  checkSamePatients(record, request);
  return toAccountMerge(record, await findMergedInvoiceIds(trx, request.mergeId));
}

function checkSamePatients(record: AccountMergeRow, request: AccountMergeRequest): void {
  if (record.source_patient_id !== request.sourcePatientId || record.target_patient_id !== request.targetPatientId) {
    throw new IdempotencyKeyReusedError('merge_id was already used for a merge of other patients');
  }
}
