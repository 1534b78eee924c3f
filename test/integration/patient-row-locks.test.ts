/**
 * Row locks of a merge and an edit against real PostgreSQL. The relay's duplicate scan writes pairs that reference
 * both patients, which takes the foreign key's share lock on each; a merge or edit of those patients must not wait
 * for it (they change no key), or a scan and a merge wait on each other's rows and PostgreSQL ends one of them as a
 * deadlock (seen in CI: a merge answered 503).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import type { Database } from '../../functions/shared/db.schema.js';
import { createMigratedTestDatabase } from '../support/database.js';

let db: Kysely<Database>;
let close: () => Promise<void>;
before(async () => {
  ({ db, close } = await createMigratedTestDatabase('row_locks', 4));
});
after(() => close?.());

const { createPatient, updatePatient } = await import('../../functions/patients/patients.service.js');
const { mergePatients } = await import('../../functions/patients/patient-merge.service.js');
const { orderedPair } = await import('../../functions/patients/patient-duplicates.service.js');

const caller = { actor: 'admin-sub', requestId: 'test' };
const record = () => ({
  name: 'Ines Carvalho', familyName: 'Carvalho', givenNames: ['Ines'], email: `ines.${randomUUID()}@example.org`,
  address: '12 Rua das Flores, Porto', dateOfBirth: '1979-03-14', registeredDate: '2024-05-02',
});
const register = async () => (await createPatient(db, caller, record())).patient.id;

/**
 * Runs `work` while another transaction holds, uncommitted, a duplicate pair of `a` and `b` (as a scan does between
 * its insert and its commit). Answers what `work` gave, or 'waited' when it was still waiting after 5 s.
 */
async function whileAScanHoldsThePair<T>(a: string, b: string, work: () => Promise<T>): Promise<T | 'waited'> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held!: () => void;
  const holding = new Promise<void>((resolve) => (held = resolve));
  const scan = db.transaction().execute(async (trx) => {
    await trx.insertInto('patient_duplicates').values({ patient_a: orderedPair(a, b).patientA, patient_b: orderedPair(a, b).patientB, score: 0.9, grade: 'probable', contributions: JSON.stringify([]) }).execute();
    held();
    await released;
    throw new Error('rolled back on purpose');
  }).catch((error: Error) => error);
  const first = await Promise.race([holding, scan]);
  if (first instanceof Error) throw first;
  try {
    return await Promise.race([work(), sleep(5_000, 'waited' as const)]);
  } finally {
    release();
    await scan;
  }
}

describe('row locks of patients', () => {
  test('a merge does not wait for a duplicate pair that a scan holds uncommitted', async () => {
    const [source, target] = [await register(), await register()];
    const outcome = await whileAScanHoldsThePair(source, target, () => mergePatients(db, caller, { sourceId: source, targetId: target, preview: false }));
    assert.notEqual(outcome, 'waited', 'the merge waited on the scan\'s foreign-key locks');
    const rows = await db.selectFrom('patients').select(['id', 'merged_into']).where('id', 'in', [source, target]).execute();
    assert.equal(rows.find((row) => row.id === source)?.merged_into, target);
  });

  test('an edit does not wait for a duplicate pair that a scan holds uncommitted', async () => {
    const [first, second] = [await register(), await register()];
    const outcome = await whileAScanHoldsThePair(first, second, () => updatePatient(db, caller, first, { ...record(), phone: '+351 21 000 0000' }));
    assert.notEqual(outcome, 'waited', 'the edit waited on the scan\'s foreign-key locks');
    const row = await db.selectFrom('patients').select('phone').where('id', '=', first).executeTakeFirstOrThrow();
    assert.equal(row.phone, '+351 21 000 0000');
  });
});
