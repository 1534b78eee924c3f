import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBillingTestServer, type BillingTestServer } from './support/billing-test-server.js';

// The functions' client reads BILLING_GRPC_ADDRESS through the shared config when first imported.
type BillingClientModule = typeof import('../../functions/billing/billing.client.js');

describe("the functions' billing client", () => {
  let billing: BillingTestServer;
  let client: BillingClientModule;
  before(async () => {
    billing = await startBillingTestServer();
    process.env.BILLING_GRPC_ADDRESS = billing.server.address;
    client = await import('../../functions/billing/billing.client.js');
  });
  after(async () => {
    client?.closeBillingClient();
    await billing?.close();
  });

  test('createBillingAccount is idempotent per patient', async () => {
    const patientId = randomUUID();
    const first = await client.createBillingAccount({ patientId, name: 'Ada Lovelace', email: 'ada@example.org' });
    const again = await client.createBillingAccount({ patientId, name: 'Ada Lovelace', email: 'ada@example.org' }, { deadlineMs: 1_000 });
    assert.equal(again.accountId, first.accountId);
    assert.equal(first.status, 'ACTIVE');
  });

  test('getBillingAccount of an unknown patient rejects with BillingAccountNotFoundError', async () => {
    await assert.rejects(client.getBillingAccount(randomUUID()), client.BillingAccountNotFoundError);
  });

  test('listInvoices returns the invoices of an account', async () => {
    const { accountId } = await client.createBillingAccount({ patientId: randomUUID(), name: 'Ada', email: 'ada@example.org' });
    const invoice = await client.createInvoice({
      accountId,
      idempotencyKey: 'first-visit',
      currency: 'EUR',
      lineItems: [{ description: 'Consultation', quantity: 1, unitAmount: 8_000 }],
    });
    const page = await client.listInvoices(accountId, { pageSize: 10 });
    assert.deepEqual(page.invoices, [invoice]);
    assert.equal(page.nextPageToken, '');
  });

  test('mergeBillingAccounts moves the source\'s invoices to the target\'s account, answers a retry the same, and undoes', async () => {
    const open = async () => {
      const patientId = randomUUID();
      return { patientId, ...(await client.createBillingAccount({ patientId, name: 'Ada', email: 'ada@example.org' })) };
    };
    const [source, target] = [await open(), await open()];
    const invoice = await client.createInvoice({
      accountId: source.accountId,
      idempotencyKey: 'before-merge',
      currency: 'EUR',
      lineItems: [{ description: 'Consultation', quantity: 1, unitAmount: 8_000 }],
    });
    const merge = { mergeId: randomUUID(), sourcePatientId: source.patientId, targetPatientId: target.patientId, undo: false };

    const merged = await client.mergeBillingAccounts(merge);
    const retried = await client.mergeBillingAccounts(merge);
    const undone = await client.mergeBillingAccounts({ ...merge, undo: true });

    assert.deepEqual([merged.movedInvoiceIds, merged.targetAccountId], [[invoice.invoiceId], target.accountId]);
    assert.deepEqual(retried, merged);
    assert.notEqual(undone.undoneAt, '');
    assert.deepEqual((await client.listInvoices(source.accountId)).invoices.map((i) => i.invoiceId), [invoice.invoiceId]);
  });

  test('a merge_id reused for other patients is rethrown as the gRPC error ALREADY_EXISTS', async () => {
    const mergeId = randomUUID();
    await client.mergeBillingAccounts({ mergeId, sourcePatientId: randomUUID(), targetPatientId: randomUUID(), undo: false });
    await assert.rejects(
      client.mergeBillingAccounts({ mergeId, sourcePatientId: randomUUID(), targetPatientId: randomUUID(), undo: false }),
      (error: Error & { code?: number }) => {
        assert.equal(error.code, client.status.ALREADY_EXISTS);
        return true;
      },
    );
  });

  test('invalid arguments are rethrown as the gRPC error', async () => {
    await assert.rejects(client.getBillingAccount('not-a-uuid'), (error: Error & { code?: number }) => {
      assert.equal(error.code, 3); // INVALID_ARGUMENT
      return true;
    });
  });

  test('a stopped billing server gives BillingUnavailableError at once, not at the deadline', { timeout: 60_000 }, async () => {
    const patientId = randomUUID();
    await client.createBillingAccount({ patientId, name: 'Ada', email: 'ada@example.org' });
    await billing.server.stop(1_000);

    // A deadline far past the test's own timeout: only a call that fails fast (UNAVAILABLE, the connection
    // refused) can end this test; one that waited for the server would end DEADLINE_EXCEEDED, or never.
    await assert.rejects(client.getBillingAccount(patientId, { deadlineMs: 10 * 60_000 }), (error: Error) => {
      assert.ok(error instanceof client.BillingUnavailableError);
      assert.equal((error.cause as { code?: number }).code, 14); // UNAVAILABLE
      return true;
    });
  });
});
