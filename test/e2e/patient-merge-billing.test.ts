/**
 * What a merge sets going through the outbox, against the real stack: billing moves the source's invoices to the
 * target's account (once, also when the relay delivers the message again) and back on unmerge; the PatientMerged
 * and PatientUnmerged events reach Kafka and analytics counts them, with the active patients right.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import type { SpawnedBillingServer } from '../../billing-server/launcher.js';
import { closeBillingClient, getBillingAccount } from '../../functions/billing/billing.client.js';
import type { Database } from '../../functions/shared/db.schema.js';
import { PatientEventType } from '../../proto/generated/patient_event.js';
import { call, eventually, login, newPatient } from '../support/api.js';
import { closeBillingDatabase, startBillingServer, warmUpBillingView } from '../support/billing.js';
import { assertAnalyticsIsExact, readPatientTopic, stackDatabase, waitForAnalyticsToCatchUp } from '../support/kafka.js';

type Analytics = { patientsMerged: number; patientsUnmerged: number; activePatients: number };

let billing: SpawnedBillingServer;
let db: Kysely<Database>;
let admin: string;

before(async () => {
  billing = await startBillingServer('patient-merge-billing-e2e');
  db = stackDatabase();
  admin = (await login()).token;
  await warmUpBillingView(admin);
});
after(async () => {
  closeBillingClient();
  await closeBillingDatabase();
  await billing?.stop();
});

async function patientWithAccount(): Promise<string> {
  const created = await call('POST', '/api/patients', { token: admin, body: newPatient() });
  assert.equal(created.status, 201, created.text);
  const id = (created.body as { id: string }).id;
  await eventually(() => getBillingAccount(id).catch(() => undefined), 30_000);
  return id;
}

async function charge(patientId: string): Promise<string> {
  const response = await call('POST', `/api/patients/${patientId}/invoices`, {
    token: admin,
    body: { amount: '80.00', currency: 'EUR', description: 'Consultation' },
    headers: { 'Idempotency-Key': randomUUID() },
  });
  assert.equal(response.status, 201, response.text);
  return (response.body as { id: string }).id;
}

const invoicesOf = async (patientId: string) => {
  const response = await call('GET', `/api/patients/${patientId}/billing`, { token: admin, contract: '/api/patients/{id}/billing' });
  assert.equal(response.status, 200, response.text);
  return (response.body as { invoices: { id: string }[] }).invoices.map((invoice) => invoice.id).sort();
};
const analytics = async () => (await call('GET', '/api/analytics', { token: admin, contract: '/api/analytics' })).body as Analytics;
describe('a merge through the outbox', { timeout: 300_000 }, () => {
  test('moves the source\'s invoices to the target once, counts the merge, and the unmerge moves them back', async () => {
    const sourceId = await patientWithAccount();
    const targetId = await patientWithAccount();
    const sourceInvoice = await charge(sourceId);
    const targetInvoice = await charge(targetId);
    await waitForAnalyticsToCatchUp(db);
    const before = await analytics();
    // billing-merge is delivered in order: a message of an earlier test that met a billing outage (billing-outage,
    // outbox-faults) backs off for up to a minute, and ours would queue behind it. Let those go out first.
    await eventually(async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from outbox where destination = 'billing-merge' and published_at is null and next_attempt_at <> 'infinity'`.execute(db);
      return rows[0]!.n === 0 ? true : undefined;
    }, 120_000, 500);

    const merged = await call('POST', '/api/patients/merges', { token: admin, body: { sourceId, targetId } });
    assert.equal(merged.status, 200, merged.text);
    const { mergeId } = merged.body as { mergeId: string };

    await eventually(async () => ((await invoicesOf(targetId)).length === 2 ? true : undefined), 30_000, 250);
    assert.deepEqual(await invoicesOf(targetId), [sourceInvoice, targetInvoice].sort());
    // The relay delivers at least once: the same message again moves nothing twice.
    await sql`update outbox set published_at = null where destination = 'billing-merge' and aggregate_id = ${sourceId}`.execute(db);
    await eventually(async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from outbox where destination = 'billing-merge' and aggregate_id = ${sourceId} and published_at is null`.execute(db);
      return rows[0]!.n === 0 ? true : undefined;
    }, 30_000, 250);
    assert.deepEqual(await invoicesOf(targetId), [sourceInvoice, targetInvoice].sort());
    const moved = await sql<{ n: number }>`select count(*)::int as n from billing.account_merge_invoices where merge_id = ${mergeId}`.execute(db);
    assert.equal(moved.rows[0]!.n, 1);

    await waitForAnalyticsToCatchUp(db);
    const afterMerge = await analytics();
    assert.deepEqual(
      [afterMerge.patientsMerged - before.patientsMerged, afterMerge.activePatients - before.activePatients],
      [1, -1],
    );
    const isMerge = ({ event }: { event: { patientId: string; eventType: PatientEventType } }) =>
      event.patientId === sourceId && event.eventType === PatientEventType.PATIENT_MERGED;
    const onTopic = (await readPatientTopic((records) => records.some(isMerge))).filter(isMerge);
    assert.deepEqual(onTopic.map(({ event }) => [event.relatedPatientId, event.patientVersion]), [[targetId, 2]]);

    const unmerged = await call('POST', `/api/patients/merges/${mergeId}/unmerge`, { token: admin });
    assert.equal(unmerged.status, 200, unmerged.text);

    await eventually(async () => ((await invoicesOf(sourceId)).length === 1 ? true : undefined), 30_000, 250);
    assert.deepEqual(await invoicesOf(sourceId), [sourceInvoice]);
    assert.deepEqual(await invoicesOf(targetId), [targetInvoice]);
    await waitForAnalyticsToCatchUp(db);
    const afterUnmerge = await analytics();
    assert.deepEqual(
      [afterUnmerge.patientsUnmerged - before.patientsUnmerged, afterUnmerge.activePatients - before.activePatients],
      [1, 0],
    );
    await assertAnalyticsIsExact(db, admin);
  });
});
