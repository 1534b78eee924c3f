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

  test('invalid arguments are rethrown as the gRPC error', async () => {
    await assert.rejects(client.getBillingAccount('not-a-uuid'), (error: Error & { code?: number }) => {
      assert.equal(error.code, 3); // INVALID_ARGUMENT
      return true;
    });
  });

  test('a stopped billing server gives BillingUnavailableError promptly', async () => {
    const patientId = randomUUID();
    await client.createBillingAccount({ patientId, name: 'Ada', email: 'ada@example.org' });
    await billing.server.stop(1_000);

    const startedAt = Date.now();
    await assert.rejects(client.getBillingAccount(patientId, { deadlineMs: 2_000 }), client.BillingUnavailableError);
    assert.ok(Date.now() - startedAt < 1_500, `took ${Date.now() - startedAt} ms`);
  });
});
