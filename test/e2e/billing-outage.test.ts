/**
 * A billing outage: patient registration never waits for billing, the billing view says 503, and once the
 * server is back the outbox relay opens every missed account exactly once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SpawnedBillingServer } from '../../billing-server/launcher.js';
import { call, eventually, login, newPatient, userWithRole } from '../support/api.js';
import { billingAccountCount, closeBillingDatabase, startBillingServer, warmUpBillingView } from '../support/billing.js';

type PatientBilling = { account: { patientId: string; status: string } };

/** The relay backs off up to a minute between attempts (outbox.repository.ts markFailed). */
const recoveryTimeoutMs = 90_000;

let billing: SpawnedBillingServer;
let clinician: string;
const registeredDuringOutage: string[] = [];

async function registerPatient(): Promise<{ status: number; id: string }> {
  const response = await call('POST', '/api/patients', { token: clinician, body: newPatient(), contract: '/api/patients' });
  return { status: response.status, id: (response.body as { id: string }).id };
}

const readBilling = (id: string) => call('GET', `/api/patients/${id}/billing`, { token: clinician, contract: '/api/patients/{id}/billing' });

before(async () => {
  billing = await startBillingServer('billing-outage-e2e');
  const admin = await login();
  clinician = (await userWithRole(admin.token, 'clinician')).token;
  // So that the outage below is one a running system meets (functions loaded, relay connected), not a cold start.
  await warmUpBillingView(clinician);
});

after(async () => {
  await closeBillingDatabase();
  await billing?.stop();
});

describe('while the billing server is down', () => {
  before(async () => {
    await billing.stop();
  });

  test('each of five registrations answers 201 while billing is still down: none waits for it', async () => {
    const responses = [];
    for (let i = 0; i < 5; i += 1) responses.push(await registerPatient());

    // Answered while the server is stopped (it is started again only in the next describe), so no answer
    // could have come from billing; the accounts follow once it is back (below).
    assert.deepEqual(responses.map((r) => r.status), [201, 201, 201, 201, 201]);
    registeredDuringOutage.push(...responses.map((r) => r.id));
    assert.deepEqual(await Promise.all(registeredDuringOutage.map(billingAccountCount)), [0, 0, 0, 0, 0]);
  });

  test('the billing view answers 503 problem+json with Retry-After', async () => {
    const { status, id } = await registerPatient();
    assert.equal(status, 201);
    registeredDuringOutage.push(id);

    const response = await readBilling(id);

    assert.equal(response.status, 503);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    assert.match(response.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  });
});

describe('once the billing server is back', () => {
  before(async () => {
    billing = await startBillingServer('billing-outage-e2e');
  });

  test('every patient registered during the outage gets exactly one ACTIVE account', async () => {
    assert.ok(registeredDuringOutage.length > 0, 'the outage tests registered no patients');

    const views = await eventually(async () => {
      for (const id of registeredDuringOutage) if ((await billingAccountCount(id)) === 0) return undefined;
      const responses = [];
      for (const id of registeredDuringOutage) responses.push(await readBilling(id));
      return responses.every((r) => r.status === 200) ? responses.map((r) => r.body as PatientBilling) : undefined;
    }, recoveryTimeoutMs, 1_000);

    const counts = await Promise.all(registeredDuringOutage.map(billingAccountCount));
    assert.deepEqual(counts, registeredDuringOutage.map(() => 1));
    assert.deepEqual(
      views.map((v) => [v.account.patientId, v.account.status]),
      registeredDuringOutage.map((id) => [id, 'ACTIVE']),
    );
  });
});
