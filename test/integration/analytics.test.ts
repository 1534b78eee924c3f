/**
 * The analytics consumer against real PostgreSQL: fixture Kafka events (test/events/) in, counts out.
 * Run with TEST_ADMIN_DATABASE_URL set (`npm test` does).
 */
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SelfManagedKafkaEvent } from 'aws-lambda';
import { sql, type Kysely } from 'kysely';
import { countPatientEvents, getAnalytics } from '../../functions/analytics/analytics.service.js';
import { recordsOf } from '../../functions/analytics/kafka-event.js';
import type { Database } from '../../functions/shared/db.schema.js';
import { logger } from '../../functions/shared/logger.js';
import { createMigratedTestDatabase } from '../support/database.js';
import { assertMatchesContract } from '../support/contract.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../events/${name}`, import.meta.url), 'utf8')) as SelfManagedKafkaEvent;
const log = logger.child({ test: 'analytics' });
log.level = 'silent';

let db: Kysely<Database>;
let close: () => Promise<void>;

before(async () => {
  ({ db, close } = await createMigratedTestDatabase('analytics', 2));
});
after(async () => {
  await close?.();
});

beforeEach(async () => {
  await sql`truncate analytics.processed_events, analytics.daily_counts, analytics.skipped_records`.execute(db);
});

describe('counting patient events', () => {
  test('counts each event of a batch once', async () => {
    const report = await countPatientEvents(db, recordsOf(fixture('patient-events.json')), log);

    assert.deepEqual(report, { counted: 5, duplicates: 0, skipped: 0 });
    assert.equal((await getAnalytics(db)).eventsProcessed, 5);
  });

  test('leaves the counts unchanged when the same record is delivered twice', async () => {
    const records = recordsOf(fixture('patient-events.json'));
    await countPatientEvents(db, records, log);
    const before = await getAnalytics(db);

    const report = await countPatientEvents(db, [records[0]!, ...records], log);

    assert.deepEqual(report, { counted: 0, duplicates: 6, skipped: 0 });
    assert.deepEqual(await getAnalytics(db), before);
  });

  test('still counts the other records of a batch with a poison record, and records the poison one as skipped', async () => {
    const report = await countPatientEvents(db, recordsOf(fixture('patient-events-with-poison.json')), log);

    assert.deepEqual(report, { counted: 2, duplicates: 0, skipped: 1 });
    assert.equal((await getAnalytics(db)).patientsCreated, 2);
    const skipped = await db.selectFrom('analytics.skipped_records').select(['topic', 'kafka_partition', 'kafka_offset', 'reason']).execute();
    assert.deepEqual(skipped, [{ topic: 'patient', kafka_partition: 2, kafka_offset: 11, reason: 'not a patient.v1.PatientEvent' }]);
  });

  test('records a redelivered poison record as skipped only once', async () => {
    const records = recordsOf(fixture('patient-events-with-poison.json'));

    await countPatientEvents(db, records, log);
    await countPatientEvents(db, records, log);

    const { count } = await db.selectFrom('analytics.skipped_records').select(sql<number>`count(*)::int`.as('count')).executeTakeFirstOrThrow();
    assert.equal(count, 1);
  });

  test('fails the batch on a database error without counting any of it, and its redelivery counts every event exactly once', async () => {
    const records = recordsOf(fixture('patient-events.json'));
    // A database failure at the third record of the batch.
    await sql`create function analytics.fail_once() returns trigger language plpgsql as $$
      begin raise exception 'database unavailable' using errcode = '57P03'; end $$`.execute(db);
    await sql`create trigger fail_once before insert on analytics.processed_events for each row
      when (new.event_id = '0b6f1a52-8c3e-4d27-9f10-1a2b3c4d5e03') execute function analytics.fail_once()`.execute(db);

    await assert.rejects(countPatientEvents(db, records, log), /database unavailable/);
    assert.equal((await getAnalytics(db)).eventsProcessed, 0);
    const { marked } = await db.selectFrom('analytics.processed_events').select(sql<number>`count(*)::int`.as('marked')).executeTakeFirstOrThrow();
    assert.equal(marked, 0, 'an event id was recorded without its count');

    await sql`drop trigger fail_once on analytics.processed_events`.execute(db);
    await sql`drop function analytics.fail_once()`.execute(db);
    const report = await countPatientEvents(db, records, log);

    assert.deepEqual(report, { counted: 5, duplicates: 0, skipped: 0 });
    assert.equal((await getAnalytics(db)).eventsProcessed, 5);
  });

  test('counts an event that appears twice in one batch once', async () => {
    const records = recordsOf(fixture('patient-events.json'));

    const report = await countPatientEvents(db, [...records, records[1]!], log);

    assert.deepEqual(report, { counted: 5, duplicates: 1, skipped: 0 });
    assert.equal((await getAnalytics(db)).eventsProcessed, 5);
  });
});

describe('reporting analytics', () => {
  test('reports zero counts and no last event before any event arrived', async () => {
    assert.deepEqual(await getAnalytics(db), {
      patientsCreated: 0,
      patientsUpdated: 0,
      patientsDeleted: 0,
      patientsMerged: 0,
      patientsUnmerged: 0,
      activePatients: 0,
      eventsProcessed: 0,
      lastEventAt: null,
      createdPerDay: [],
    });
  });

  test('reports created, updated, deleted and active patients, and patients created per UTC day', async () => {
    await countPatientEvents(db, recordsOf(fixture('patient-events.json')), log);

    const analytics = await getAnalytics(db);

    assert.deepEqual(analytics, {
      patientsCreated: 3,
      patientsUpdated: 1,
      patientsDeleted: 1,
      patientsMerged: 0,
      patientsUnmerged: 0,
      activePatients: 2,
      eventsProcessed: 5,
      lastEventAt: '2026-11-26T07:45:00.000Z',
      createdPerDay: [
        { date: '2026-11-24', count: 1 },
        { date: '2026-11-25', count: 2 },
      ],
    });
  });

  test('counts merges and undone merges: a merged patient is not active, an unmerged one is again', async () => {
    // Three patients created; two merged into the second; one of those merges undone.
    await countPatientEvents(db, recordsOf(fixture('patient-merge-events.json')), log);

    const analytics = await getAnalytics(db);

    assert.deepEqual(
      [analytics.patientsCreated, analytics.patientsDeleted, analytics.patientsMerged, analytics.patientsUnmerged, analytics.activePatients],
      [3, 0, 2, 1, 2],
    );
    assert.deepEqual(analytics.createdPerDay, [{ date: '2026-11-27', count: 3 }]);
    assert.equal(analytics.lastEventAt, '2026-11-28T10:00:00.000Z');
  });

  test('counts a redelivered merge event once', async () => {
    const records = recordsOf(fixture('patient-merge-events.json'));
    await countPatientEvents(db, records, log);

    const report = await countPatientEvents(db, records.filter((record) => record.offset !== '0'), log);

    assert.deepEqual(report, { counted: 0, duplicates: 4, skipped: 0 });
    assert.equal((await getAnalytics(db)).patientsMerged, 2);
  });

  test('answers in the shape of the openapi.yaml Analytics schema', async () => {
    await countPatientEvents(db, recordsOf(fixture('patient-events.json')), log);
    await countPatientEvents(db, recordsOf(fixture('patient-merge-events.json')), log);

    const body = await getAnalytics(db);
    const response = { status: 200, headers: new Headers({ 'content-type': 'application/json' }), body, text: JSON.stringify(body) };
    assertMatchesContract(response, 'GET', '/api/analytics');
  });
});
