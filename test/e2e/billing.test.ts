/** Billing over gRPC: registering a patient opens one billing account, and the API shows it. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SpawnedBillingServer } from '../../billing-server/launcher.js';
import { closeBillingClient, getBillingAccount } from '../../functions/billing/billing.client.js';
import { call, eventually, login, newPatient, userWithRole } from '../support/api.js';
import { billingAccountCount, closeBillingDatabase, startBillingServer, warmUpBillingView } from '../support/billing.js';

type Problem = { type: string; title: string; status: number; detail: string; errors?: { field: string; message: string }[] };
type PatientBilling = { account: { accountId: string; patientId: string; status: string; createdAt?: string }; invoices: unknown[] };

let billing: SpawnedBillingServer;
let clinician: string;
let analyst: string;

before(async () => {
  billing = await startBillingServer('billing-e2e');
  const admin = await login();
  clinician = (await userWithRole(admin.token, 'clinician')).token;
  analyst = (await userWithRole(admin.token, 'analyst')).token;
  await warmUpBillingView(clinician);
});

after(async () => {
  closeBillingClient();
  await closeBillingDatabase();
  await billing?.stop();
});

async function registerPatient(): Promise<string> {
  const response = await call('POST', '/api/patients', { token: clinician, body: newPatient(), contract: '/api/patients' });
  assert.equal(response.status, 201);
  return (response.body as { id: string }).id;
}

const readBilling = (id: string, token = clinician) =>
  call('GET', `/api/patients/${id}/billing`, { token, contract: '/api/patients/{id}/billing' });

/** Resolves once the relay has delivered the patient's BillingRequest (GetBillingAccount stops answering NOT_FOUND). */
const accountOpened = (patientId: string) =>
  eventually(() => getBillingAccount(patientId).catch(() => undefined), 30_000);

describe('registering a patient', () => {
  test('opens exactly one ACTIVE billing account for it on the billing server', async () => {
    const patientId = await registerPatient();

    const account = await accountOpened(patientId);

    assert.equal(account.patientId, patientId);
    assert.equal(account.status, 'ACTIVE');
    assert.ok(account.accountId);
    assert.equal(await billingAccountCount(patientId), 1);
  });
});

describe('GET /api/patients/{id}/billing', () => {
  test('answers 200 with the patient’s ACTIVE account, as openapi.yaml documents', async () => {
    const patientId = await registerPatient();
    const account = await accountOpened(patientId);

    const response = await readBilling(patientId);

    assert.equal(response.status, 200);
    const body = response.body as PatientBilling;
    assert.equal(body.account.accountId, account.accountId);
    assert.equal(body.account.patientId, patientId);
    assert.equal(body.account.status, 'ACTIVE');
    assert.deepEqual(body.invoices, []);
  });

  test('answers 404 for a patient that does not exist', async () => {
    const response = await readBilling(crypto.randomUUID());

    assert.equal(response.status, 404);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
  });

  test('answers 400 naming the id when the id is not a UUID', async () => {
    const response = await readBilling('not-a-uuid');

    assert.equal(response.status, 400);
    assert.deepEqual(((response.body as Problem).errors ?? []).map((e) => e.field), ['path.id']);
  });

  test('answers 403 to an analyst, whose token lacks patients:read', async () => {
    const patientId = await registerPatient();

    const response = await readBilling(patientId, analyst);

    assert.equal(response.status, 403);
  });
});
