/**
 * The duplicate report's scans against real PostgreSQL: patients written through the service leave `duplicates`
 * messages, and the relay's duplicatesPublisher turns them into pairs. What the tables hold after a scan (not what
 * the report shows, which filters again when it reads: test/e2e/duplicate-report.test.ts).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../functions/shared/db.schema.js';
import { createMigratedTestDatabase } from '../support/database.js';

let db: Kysely<Database>;
let close: () => Promise<void>;
before(async () => {
  ({ db, close } = await createMigratedTestDatabase('duplicates', 2));
});
after(() => close?.());

const { relayOutbox } = await import('../../functions/outbox/outbox-relay.js');
const { duplicatesPublisher } = await import('../../functions/outbox/publishers.js');
const { createPatient, updatePatient } = await import('../../functions/patients/patients.service.js');
const { decideDuplicate, orderedPair } = await import('../../functions/patients/patient-duplicates.service.js');
const { mergePatients, unmergePatients } = await import('../../functions/patients/patient-merge.service.js');
const { logger } = await import('../../functions/shared/logger.js');
const log = logger.child({ test: 'duplicate-scan' });
log.level = 'silent';

const caller = { actor: 'admin-sub', requestId: 'test' };
let counter = 0;

/** A record of one person: `overrides` make it another record of them, or someone else. */
function record(overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    name: 'Rosalind Oyelaran',
    familyName: 'Oyelaran',
    givenNames: ['Rosalind'],
    email: `rosalind.${counter}.${randomUUID()}@example.org`,
    phone: '+44 113 496 0000',
    address: '4 Canal Wharf, Leeds',
    dateOfBirth: '1962-04-19',
    registeredDate: '2024-02-01',
    ...overrides,
  };
}

const register = async (overrides: Record<string, unknown> = {}) => (await createPatient(db, caller, record(overrides))).patient.id;
const scan = () => relayOutbox(db, [duplicatesPublisher], log);
const pairsOf = async (patientId: string) =>
  (await db.selectFrom('patient_duplicates').select(['patient_a', 'patient_b', 'grade']).where((eb) => eb.or([eb('patient_a', '=', patientId), eb('patient_b', '=', patientId)])).execute())
    .map((row) => [row.patient_a, row.patient_b].find((id) => id !== patientId));

describe('a duplicate scan', () => {
  test('stores the probable and certain pairs of a new patient, not the look-alikes, and records no read', async () => {
    const first = await register();
    const twin = await register({ name: 'Beatrix Oyelaran', givenNames: ['Beatrix'], phone: '+44 113 496 0001' });
    const auditBefore = await db.selectFrom('audit_events').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
    const second = await register({ familyName: 'Oyelarn', name: 'Rosalind Oyelarn' });

    const [report] = await scan();

    assert.equal(report?.failed, 0);
    assert.deepEqual(await pairsOf(second), [first], 'the typo is a pair; the twin (another given name) is not');
    assert.deepEqual(await pairsOf(twin), []);
    const written = await db.selectFrom('audit_events').select(['action']).orderBy('id').offset(auditBefore.n).execute();
    assert.deepEqual(written.map((row) => row.action), ['create'], 'only the create: a scan shows nobody anything');
  });

  test('keeps a pair decided "not a duplicate" out, even when an edit finds it again', async () => {
    const first = await register({ dateOfBirth: '1970-10-02' });
    const second = await register({ dateOfBirth: '1970-10-02', email: `other.${randomUUID()}@example.org` });
    await scan();
    assert.deepEqual(await pairsOf(first), [second]);

    await decideDuplicate(db, caller, [first, second], 'not-duplicate');
    await updatePatient(db, caller, second, record({ dateOfBirth: '1970-10-02', address: '5 Canal Wharf, Leeds' }));
    await scan();

    assert.deepEqual(await pairsOf(second), []);
    const decision = await db.selectFrom('patient_duplicate_decisions').selectAll().where('patient_a', '=', orderedPair(first, second).patientA).executeTakeFirst();
    assert.equal(decision?.actor_sub, caller.actor);
  });

  test('a "not a duplicate" decision follows a merge: the merged record\'s partner is no pair of the target, until the merge is undone', async () => {
    const first = await register({ dateOfBirth: '1948-11-05' });
    const lookalike = await register({ dateOfBirth: '1948-11-05', email: `other.${randomUUID()}@example.org` });
    await scan();
    await decideDuplicate(db, caller, [first, lookalike], 'not-duplicate');
    const typo = await register({ dateOfBirth: '1948-11-05', familyName: 'Oyelarn', name: 'Rosalind Oyelarn' });
    await scan();
    assert.deepEqual((await pairsOf(typo)).sort(), [first, lookalike].sort(), 'nothing is decided about the typo yet');

    const { mergeId } = await mergePatients(db, caller, { sourceId: first, targetId: typo, preview: false });
    await scan();
    assert.deepEqual(await pairsOf(typo), [], 'the typo is the first record now, and that was decided not to be the look-alike');
    assert.deepEqual(await pairsOf(lookalike), []);

    await unmergePatients(db, caller, mergeId!);
    await scan();
    assert.deepEqual((await pairsOf(typo)).sort(), [first, lookalike].sort(), 'undone, the decision is the first record\'s again');
    assert.deepEqual(await pairsOf(lookalike), [typo]);
  });

  test('drops the pairs an edit no longer supports, from both sides', async () => {
    const first = await register({ dateOfBirth: '1955-01-23' });
    const second = await register({ dateOfBirth: '1955-01-23' });
    await scan();
    assert.deepEqual(await pairsOf(first), [second]);

    // The second record was someone else's all along: another name, birth date, phone and address.
    await updatePatient(db, caller, second, record({ name: 'Tomasz Wrona', familyName: 'Wrona', givenNames: ['Tomasz'], dateOfBirth: '1990-07-30', phone: '+48 22 000 1111', address: '9 Vistula Street, Warsaw' }));
    await scan();

    assert.deepEqual(await pairsOf(first), []);
  });
});
