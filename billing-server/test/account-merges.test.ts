/**
 * MergeAccounts against a real billing server and PostgreSQL: the source's invoices move to the target's account
 * once, however often (and however concurrently) the call is repeated; an undo moves exactly those back.
 */
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import type { AccountMerge, CreateInvoiceRequest } from '../../proto/generated/billing.js';
import { call, countRows, grpcError, startBillingTestServer, type BillingTestServer } from './support/billing-test-server.js';

describe('merging billing accounts over gRPC', () => {
  let billing: BillingTestServer;
  before(async () => {
    billing = await startBillingTestServer();
  });
  after(async () => {
    await billing?.close();
  });

  const openAccount = async (patientId = randomUUID()) => {
    const { accountId } = await call(billing.client.createBillingAccount.bind(billing.client), { patientId, name: 'Ada Lovelace', email: 'ada@example.org' });
    return { patientId, accountId };
  };
  const invoice = (accountId: string, idempotencyKey: string = randomUUID()): CreateInvoiceRequest => ({
    accountId,
    idempotencyKey,
    currency: 'EUR',
    lineItems: [{ description: 'Consultation', quantity: 1, unitAmount: 8_000 }],
  });
  const issue = async (accountId: string, idempotencyKey?: string) =>
    (await call(billing.client.createInvoice.bind(billing.client), invoice(accountId, idempotencyKey))).invoice!.invoiceId;
  const merge = async (request: { mergeId: string; sourcePatientId: string; targetPatientId: string; undo?: boolean }): Promise<AccountMerge> =>
    (await call(billing.client.mergeAccounts.bind(billing.client), { undo: false, ...request })).merge!;
  const invoicesOf = async (accountId: string) =>
    (await call(billing.client.listInvoices.bind(billing.client), { accountId, pageSize: 100, pageToken: '' })).invoices.map((i) => i.invoiceId).sort();
  const accountOf = (patientId: string) => call(billing.client.getBillingAccount.bind(billing.client), { patientId });

  /** Two patients with accounts: the source with two invoices, the target with one. */
  async function pairWithInvoices() {
    const source = await openAccount();
    const target = await openAccount();
    const sourceInvoices = [await issue(source.accountId), await issue(source.accountId)];
    const targetInvoices = [await issue(target.accountId)];
    return { source, target, sourceInvoices, targetInvoices, mergeId: randomUUID() };
  }

  test('a merge moves the source\'s invoices to the target\'s account and marks the source account MERGED', async () => {
    const { source, target, sourceInvoices, targetInvoices, mergeId } = await pairWithInvoices();

    const merged = await merge({ mergeId, sourcePatientId: source.patientId, targetPatientId: target.patientId });

    assert.deepEqual(await invoicesOf(target.accountId), [...sourceInvoices, ...targetInvoices].sort());
    assert.deepEqual(await invoicesOf(source.accountId), []);
    assert.equal((await accountOf(source.patientId)).status, 'MERGED');
    assert.equal((await accountOf(target.patientId)).status, 'ACTIVE');
    assert.deepEqual([...merged.movedInvoiceIds].sort(), [...sourceInvoices].sort());
    assert.deepEqual([merged.sourceAccountId, merged.targetAccountId, merged.targetAccountOpened, merged.undoneAt], [source.accountId, target.accountId, false, '']);
    assert.ok(!Number.isNaN(Date.parse(merged.mergedAt)));
  });

  test('a retried merge moves nothing twice and answers the same, also after the source issued nothing new', async () => {
    const { source, target, sourceInvoices, mergeId } = await pairWithInvoices();
    const request = { mergeId, sourcePatientId: source.patientId, targetPatientId: target.patientId };
    const first = await merge(request);

    const second = await merge(request);

    assert.deepEqual(second, first);
    assert.equal(await countRows(billing.sql, 'account_merge_invoices', 'merge_id = $1', [mergeId]), sourceInvoices.length);
    assert.equal(await countRows(billing.sql, 'account_merges', 'merge_id = $1', [mergeId]), 1);
  });

  test('concurrent duplicate merges move each invoice once and all answer the same', async () => {
    const { source, target, sourceInvoices, targetInvoices, mergeId } = await pairWithInvoices();
    const request = { mergeId, sourcePatientId: source.patientId, targetPatientId: target.patientId };

    const answers = await Promise.all(Array.from({ length: 8 }, () => merge(request)));

    for (const answer of answers) assert.deepEqual(answer, answers[0]);
    assert.deepEqual([...answers[0]!.movedInvoiceIds].sort(), [...sourceInvoices].sort());
    assert.deepEqual(await invoicesOf(target.accountId), [...sourceInvoices, ...targetInvoices].sort());
    assert.equal(await countRows(billing.sql, 'account_merge_invoices', 'merge_id = $1', [mergeId]), sourceInvoices.length);
  });

  test('an undo moves exactly the moved invoices back and makes the source account ACTIVE again', async () => {
    const { source, target, sourceInvoices, targetInvoices, mergeId } = await pairWithInvoices();
    const request = { mergeId, sourcePatientId: source.patientId, targetPatientId: target.patientId };
    await merge(request);
    const issuedSince = await issue(target.accountId);

    const undone = await merge({ ...request, undo: true });

    assert.deepEqual(await invoicesOf(source.accountId), [...sourceInvoices].sort());
    assert.deepEqual(await invoicesOf(target.accountId), [...targetInvoices, issuedSince].sort());
    assert.equal((await accountOf(source.patientId)).status, 'ACTIVE');
    assert.ok(!Number.isNaN(Date.parse(undone.undoneAt)));
    assert.deepEqual([...undone.movedInvoiceIds].sort(), [...sourceInvoices].sort());
  });

  test('a retried undo, concurrent or later, moves nothing again and answers the same', async () => {
    const { source, target, sourceInvoices, mergeId } = await pairWithInvoices();
    const request = { mergeId, sourcePatientId: source.patientId, targetPatientId: target.patientId };
    await merge(request);

    const undos = await Promise.all(Array.from({ length: 6 }, () => merge({ ...request, undo: true })));
    const later = await merge({ ...request, undo: true });

    for (const answer of [...undos, later]) assert.deepEqual(answer, undos[0]);
    assert.deepEqual(await invoicesOf(source.accountId), [...sourceInvoices].sort());
  });

  test('a merge retried after its undo changes nothing: the invoices stay with the source', async () => {
    const { source, target, sourceInvoices, mergeId } = await pairWithInvoices();
    const request = { mergeId, sourcePatientId: source.patientId, targetPatientId: target.patientId };
    await merge(request);
    const undone = await merge({ ...request, undo: true });

    const retried = await merge(request);

    assert.deepEqual(retried, undone);
    assert.deepEqual(await invoicesOf(source.accountId), [...sourceInvoices].sort());
    assert.equal((await accountOf(source.patientId)).status, 'ACTIVE');
  });

  test('an undo arriving before its merge is recorded, and the late merge then moves nothing', async () => {
    const { source, target, sourceInvoices, mergeId } = await pairWithInvoices();
    const request = { mergeId, sourcePatientId: source.patientId, targetPatientId: target.patientId };

    const undone = await merge({ ...request, undo: true });
    const late = await merge(request);

    assert.deepEqual([undone.mergedAt, undone.movedInvoiceIds], ['', []]);
    assert.deepEqual(late, undone);
    assert.deepEqual(await invoicesOf(source.accountId), [...sourceInvoices].sort());
    assert.equal((await accountOf(source.patientId)).status, 'ACTIVE');
  });

  test('a source without an account moves nothing, and the merge is still recorded', async () => {
    const target = await openAccount();
    const targetInvoices = [await issue(target.accountId)];
    const request = { mergeId: randomUUID(), sourcePatientId: randomUUID(), targetPatientId: target.patientId };

    const merged = await merge(request);

    assert.deepEqual([merged.sourceAccountId, merged.targetAccountId, merged.movedInvoiceIds], ['', target.accountId, []]);
    assert.equal(await countRows(billing.sql, 'account_merges', 'merge_id = $1', [request.mergeId]), 1);
    assert.deepEqual(await invoicesOf(target.accountId), targetInvoices);
    assert.deepEqual((await merge({ ...request, undo: true })).movedInvoiceIds, []);
    await assert.rejects(accountOf(request.sourcePatientId), grpcError(status.NOT_FOUND));
  });

  test('a target without an account gets one, with the source\'s billing contact, which its own CreateBillingAccount then returns', async () => {
    const source = await openAccount();
    const sourceInvoices = [await issue(source.accountId)];
    const targetPatientId = randomUUID();

    const merged = await merge({ mergeId: randomUUID(), sourcePatientId: source.patientId, targetPatientId });

    const target = await accountOf(targetPatientId);
    assert.deepEqual([merged.targetAccountId, merged.targetAccountOpened], [target.accountId, true]);
    assert.deepEqual(await invoicesOf(target.accountId), sourceInvoices);
    const created = await call(billing.client.createBillingAccount.bind(billing.client), { patientId: targetPatientId, name: 'Ada King', email: 'ada.king@example.org' });
    assert.equal(created.accountId, target.accountId);
  });

  test('invoices with the same idempotency key on both accounts can be merged, and a retried CreateInvoice on the merged account returns its invoice', async () => {
    const source = await openAccount();
    const target = await openAccount();
    const sourceInvoice = await issue(source.accountId, 'visit-1');
    const targetInvoice = await issue(target.accountId, 'visit-1');

    await merge({ mergeId: randomUUID(), sourcePatientId: source.patientId, targetPatientId: target.patientId });

    assert.deepEqual(await invoicesOf(target.accountId), [sourceInvoice, targetInvoice].sort());
    const retried = await call(billing.client.createInvoice.bind(billing.client), invoice(source.accountId, 'visit-1'));
    assert.deepEqual([retried.invoice?.invoiceId, retried.invoice?.accountId], [sourceInvoice, target.accountId]);
  });

  test('a merged account issues no new invoice: FAILED_PRECONDITION', async () => {
    const { source, target, mergeId } = await pairWithInvoices();
    await merge({ mergeId, sourcePatientId: source.patientId, targetPatientId: target.patientId });

    await assert.rejects(issue(source.accountId), grpcError(status.FAILED_PRECONDITION, /merged/));
  });

  test('the same merge_id for other patients is ALREADY_EXISTS and changes nothing', async () => {
    const { source, target, mergeId } = await pairWithInvoices();
    await merge({ mergeId, sourcePatientId: source.patientId, targetPatientId: target.patientId });
    const other = await openAccount();

    await assert.rejects(merge({ mergeId, sourcePatientId: other.patientId, targetPatientId: target.patientId }), grpcError(status.ALREADY_EXISTS, /merge_id/));
    await assert.rejects(merge({ mergeId, sourcePatientId: other.patientId, targetPatientId: target.patientId, undo: true }), grpcError(status.ALREADY_EXISTS));
    assert.equal((await accountOf(source.patientId)).status, 'MERGED');
  });

  test('merging an account that is already merged under another merge_id is FAILED_PRECONDITION', async () => {
    const { source, target, mergeId } = await pairWithInvoices();
    await merge({ mergeId, sourcePatientId: source.patientId, targetPatientId: target.patientId });
    const other = await openAccount();

    await assert.rejects(merge({ mergeId: randomUUID(), sourcePatientId: source.patientId, targetPatientId: other.patientId }), grpcError(status.FAILED_PRECONDITION));
    await assert.rejects(merge({ mergeId: randomUUID(), sourcePatientId: other.patientId, targetPatientId: source.patientId }), grpcError(status.FAILED_PRECONDITION));
  });

  const invalid: Array<[string, { mergeId: string; sourcePatientId: string; targetPatientId: string }, RegExp]> = [
    ['no merge_id', { mergeId: '', sourcePatientId: randomUUID(), targetPatientId: randomUUID() }, /merge_id is required/],
    ['a source that is not a UUID', { mergeId: randomUUID(), sourcePatientId: 'p-1', targetPatientId: randomUUID() }, /source_patient_id must be a UUID/],
    ['the same patient twice', { mergeId: randomUUID(), sourcePatientId: '3f1c2a9e-5b7d-4c1e-9a8f-0d2b4c6e8a10', targetPatientId: '3F1C2A9E-5B7D-4C1E-9A8F-0D2B4C6E8A10' }, /must differ/],
  ];
  for (const [what, request, details] of invalid) {
    test(`MergeAccounts with ${what} is INVALID_ARGUMENT`, async () => {
      await assert.rejects(merge(request), grpcError(status.INVALID_ARGUMENT, details));
    });
  }
});
