/**
 * Patient events under faults, on the real stack: the broker down, a record delivered twice, the analytics
 * function failing on a batch. Each ends with the exactness invariant (assertAnalyticsIsExact).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../functions/shared/db.schema.js';
import { buildSelfManagedKafkaEvent } from '../../scripts/local/kafka-event-source.js';
import { call, eventually, login, newPatient } from '../support/api.js';
import {
  PATIENT_TOPIC,
  assertAnalyticsIsExact,
  invokeAnalyticsConsumer,
  kafkaOutboxRows,
  stackBroker,
  stackBrokers,
  stackDatabase,
  timesProcessed,
  waitForAnalyticsToCatchUp,
} from '../support/kafka.js';

/** A create answers without waiting for Kafka (the relay runs after the commit); generous for a busy machine. */
const PROMPT_MS = 3_000;
const timeout = 240_000;

let db: Kysely<Database>;
let token: string;

before(async () => {
  db = stackDatabase();
  token = (await login()).token;
  // Start from a quiet pipeline, so what each test sees is its own doing.
  await waitForAnalyticsToCatchUp(db);
});

after(async () => {
  await db.destroy();
});

async function createPatient(): Promise<{ id: string; tookMs: number }> {
  const started = Date.now();
  const response = await call('POST', '/api/patients', { token, body: newPatient(), contract: '/api/patients' });
  assert.equal(response.status, 201, response.text);
  return { id: (response.body as { id: string }).id, tookMs: Date.now() - started };
}

async function kafkaEventIdOf(patientId: string): Promise<string> {
  const rows = await kafkaOutboxRows(db, patientId);
  assert.equal(rows.length, 1);
  return rows[0]!.eventId;
}

describe('patient events under faults', { timeout }, () => {
  test('patients created while Kafka is down are answered promptly and each counted once when it is back', async () => {
    await stackBroker.stop();
    const patients: { id: string; tookMs: number }[] = [];
    try {
      for (let i = 0; i < 4; i += 1) patients.push(await createPatient());
      // The relay really tried and failed: the rows wait in the outbox, backing off.
      await eventually(async () => {
        const rows = (await Promise.all(patients.map(({ id }) => kafkaOutboxRows(db, id)))).flat();
        return rows.every((row) => row.publishedAt === null && row.attempts > 0) ? true : undefined;
      }, 30_000);
    } finally {
      await stackBroker.start();
    }

    assert.ok(patients.every(({ tookMs }) => tookMs < PROMPT_MS), `create took ${patients.map(({ tookMs }) => tookMs).join(', ')} ms`);
    const eventIds = await Promise.all(patients.map(({ id }) => kafkaEventIdOf(id)));
    await waitForAnalyticsToCatchUp(db, 150_000);
    assert.deepEqual(await timesProcessed(db, eventIds), [1, 1, 1, 1]);
    await assertAnalyticsIsExact(db, token);
  });

  test('a record delivered to the analytics function twice more changes no count', async () => {
    const { id } = await createPatient();
    await waitForAnalyticsToCatchUp(db);
    const [row] = await kafkaOutboxRows(db, id);
    const reportedBefore = await call('GET', '/api/analytics', { token, contract: '/api/analytics' });
    // The record as the topic holds it; its coordinates do not matter to analytics, which deduplicates by event id.
    const event = buildSelfManagedKafkaEvent(stackBrokers(), [
      { topic: PATIENT_TOPIC, partition: 0, offset: '0', key: id, value: row!.payload, headers: { 'event-id': row!.eventId }, timestamp: String(Date.now()) },
    ]);

    const first = await invokeAnalyticsConsumer(event);
    const second = await invokeAnalyticsConsumer(event);

    assert.deepEqual([first, second], [{ counted: 0, duplicates: 1, skipped: 0 }, { counted: 0, duplicates: 1, skipped: 0 }]);
    assert.deepEqual((await call('GET', '/api/analytics', { token, contract: '/api/analytics' })).body, reportedBefore.body);
    assert.deepEqual(await timesProcessed(db, [row!.eventId]), [1]);
    await assertAnalyticsIsExact(db, token);
  });

  test('an event whose batch the analytics function fails on is retried and counted once when it recovers', async () => {
    // The function fails for real: the table it records processed events in is gone.
    await sql`alter table analytics.processed_events rename to processed_events_off`.execute(db);
    let eventId: string;
    try {
      const { id } = await createPatient();
      eventId = await kafkaEventIdOf(id);
      await eventually(async () => ((await kafkaOutboxRows(db, id))[0]?.publishedAt ? true : undefined), 60_000);
      // On the topic now; the event source invokes the function, which fails, and backs off (250 ms, 500 ms, 1 s…).
      await delay(4_000);
      assert.deepEqual(await timesProcessed(db, [eventId], 'processed_events_off'), [0]);
    } finally {
      await sql`alter table analytics.processed_events_off rename to processed_events`.execute(db);
    }

    await waitForAnalyticsToCatchUp(db, 60_000);
    assert.deepEqual(await timesProcessed(db, [eventId]), [1]);
    await assertAnalyticsIsExact(db, token);
  });
});
