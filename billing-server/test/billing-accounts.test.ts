import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { call, countRows, grpcError, startBillingTestServer, type BillingTestServer } from './support/billing-test-server.js';

describe('billing accounts over gRPC', () => {
  let billing: BillingTestServer;
  before(async () => {
    billing = await startBillingTestServer();
  });
  after(async () => {
    await billing?.close();
  });

  const create = (request: { patientId: string; name: string; email: string }) =>
    call(billing.client.createBillingAccount.bind(billing.client), request);
  const get = (patientId: string) => call(billing.client.getBillingAccount.bind(billing.client), { patientId });

  test('CreateBillingAccount opens an ACTIVE account', async () => {
    const response = await create({ patientId: randomUUID(), name: 'Ada Lovelace', email: 'ada@example.org' });
    assert.match(response.accountId, /^[0-9a-f-]{36}$/);
    assert.equal(response.status, 'ACTIVE');
  });

  test('repeating CreateBillingAccount returns the same account_id', async () => {
    const patientId = randomUUID();
    const first = await create({ patientId, name: 'Ada Lovelace', email: 'ada@example.org' });
    const second = await create({ patientId, name: 'Ada King', email: 'ada.king@example.org' });
    assert.equal(second.accountId, first.accountId);
  });

  test('concurrent CreateBillingAccount calls for one patient open one account', async () => {
    const patientId = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 12 }, () => create({ patientId, name: 'Grace Hopper', email: 'grace@example.org' })),
    );
    assert.equal(new Set(responses.map((response) => response.accountId)).size, 1);
    assert.equal(await countRows(billing.sql, 'accounts', 'patient_id = $1', [patientId]), 1);
  });

  test('GetBillingAccount returns the account of the patient, ACTIVE', async () => {
    const patientId = randomUUID();
    const created = await create({ patientId, name: 'Alan Turing', email: 'alan@example.org' });
    const account = await get(patientId);
    assert.equal(account.accountId, created.accountId);
    assert.equal(account.patientId, patientId);
    assert.equal(account.status, 'ACTIVE');
    assert.ok(!Number.isNaN(Date.parse(account.createdAt)));
  });

  test('GetBillingAccount of a patient without an account is NOT_FOUND', async () => {
    await assert.rejects(get(randomUUID()), grpcError(status.NOT_FOUND));
  });

  const invalidRequests: Array<[string, { patientId: string; name: string; email: string }, RegExp]> = [
    ['an empty patient_id', { patientId: '', name: 'A', email: 'a@example.org' }, /patient_id is required/],
    ['a patient_id that is not a UUID', { patientId: 'patient-1', name: 'A', email: 'a@example.org' }, /patient_id must be a UUID/],
    ['an empty email', { patientId: randomUUID(), name: 'A', email: '' }, /email is required/],
    ['a malformed email', { patientId: randomUUID(), name: 'A', email: 'not-an-email' }, /email is not a valid/],
    ['an empty name', { patientId: randomUUID(), name: '  ', email: 'a@example.org' }, /name is required/],
    ['a NUL in the name', { patientId: randomUUID(), name: 'A\u0000', email: 'a@example.org' }, /name must not contain control characters/],
    ['a NUL in the email', { patientId: randomUUID(), name: 'A', email: 'a\u0000@example.org' }, /email must not contain control characters/],
  ];
  for (const [what, request, details] of invalidRequests) {
    test(`CreateBillingAccount with ${what} is INVALID_ARGUMENT`, async () => {
      await assert.rejects(create(request), grpcError(status.INVALID_ARGUMENT, details));
    });
  }

  test('GetBillingAccount with a malformed patient_id is INVALID_ARGUMENT', async () => {
    await assert.rejects(get('42'), grpcError(status.INVALID_ARGUMENT, /patient_id must be a UUID/));
  });

  test('INVALID_ARGUMENT details never echo the rejected email', async () => {
    await assert.rejects(create({ patientId: randomUUID(), name: 'A', email: 'secret at example' }), (error: Error) => {
      assert.doesNotMatch(error.message, /secret/);
      return true;
    });
  });
});
