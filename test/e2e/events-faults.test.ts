/**
 * Patient events under faults, on the real stack: the broker down, a record delivered twice, the analytics
 * function failing on a batch. Each ends with the exactness invariant (assertAnalyticsIsExact).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../functions/shared/db.schema.js';
import { buildSelfManagedKafkaEvent } from '../../scripts/local/kafka-event-source.js';
import { call, eventually, login, newPatient } from '../support/api.js';
import {
  PATIENT_TOPIC,
  assertAnalyticsIsExact,
  invokeAnalyticsConsumer,
  kafkaOutboxRows,
  readPatientTopic,
  stackBroker,
  stackBrokers,
  stackDatabase,
  timesProcessed,
  waitForAnalyticsToCatchUp,
} from '../support/kafka.js';

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

async function createPatient(): Promise<{ id: string }> {
  const response = await call('POST', '/api/patients', { token, body: newPatient(), contract: '/api/patients' });
  assert.equal(response.status, 201, response.text);
  return { id: (response.body as { id: string }).id };
}

type InvocationLine = { time: number; msg: string; offsets?: Record<string, [number, number]>; err?: { message: string } };

/** The analytics function's log lines (offline.log) about the batches that held the record at `partition`/`offset`. */
async function invocationsOfRecord(partition: string, offset: number): Promise<InvocationLine[]> {
  const log = await readFile(path.join(process.env.TEST_STACK_DIR!, 'logs', 'offline.log'), 'utf8');
  return log.split('\n')
    .filter((line) => line.includes('"msg":"patient events'))
    .map((line) => JSON.parse(line) as InvocationLine)
    .filter(({ offsets }) => {
      const range = offsets?.[partition];
      return range !== undefined && range[0] <= offset && offset <= range[1];
    });
}

async function kafkaEventIdOf(patientId: string): Promise<string> {
  const rows = await kafkaOutboxRows(db, patientId);
  assert.equal(rows.length, 1);
  return rows[0]!.eventId;
}

describe('patient events under faults', { timeout }, () => {
  test('patients created while Kafka is down are answered while it is down, and each counted once when it is back', async () => {
    await stackBroker.stop();
    const patients: { id: string }[] = [];
    let eventIds: string[];
    try {
      // Each answered 201 while the broker is down: none waited for Kafka.
      for (let i = 0; i < 4; i += 1) patients.push(await createPatient());
      // The relay really tried and failed: the rows wait in the outbox, backing off.
      await eventually(async () => {
        const rows = (await Promise.all(patients.map(({ id }) => kafkaOutboxRows(db, id)))).flat();
        return rows.every((row) => row.publishedAt === null && row.attempts > 0) ? true : undefined;
      }, 30_000);
      eventIds = await Promise.all(patients.map(({ id }) => kafkaEventIdOf(id)));
      assert.deepEqual(await timesProcessed(db, eventIds), [0, 0, 0, 0]);
    } finally {
      await stackBroker.start();
    }

    // Delivered and counted only after the broker is back.
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
    let where: { partition: string; offset: number };
    try {
      const { id } = await createPatient();
      eventId = await kafkaEventIdOf(id);
      // Where the relay put it on the topic, so the function's log lines about it can be told apart.
      const isOurs = ({ record }: { record: { headers: Record<string, string> } }) => record.headers['event-id'] === eventId;
      const { record } = (await readPatientTopic((records) => records.some(isOurs), { settleMs: 0 })).find(isOurs)!;
      where = { partition: `${record.topic}-${record.partition}`, offset: Number(record.offset) };
      // The event source invoked the function with the record, it failed, and the source invoked it again.
      const failed = await eventually(async () => {
        const lines = (await invocationsOfRecord(where.partition, where.offset)).filter((line) => line.msg.includes('failed'));
        return lines.length >= 2 ? lines : undefined;
      }, 60_000);
      assert.ok(failed.every((line) => /processed_events" does not exist/.test(line.err?.message ?? '')), failed.map((l) => l.err?.message).join('; '));
    } finally {
      await sql`alter table analytics.processed_events_off rename to processed_events`.execute(db);
    }

    await waitForAnalyticsToCatchUp(db, 60_000);
    assert.deepEqual(await timesProcessed(db, [eventId]), [1]);
    const consumed = (await invocationsOfRecord(where.partition, where.offset)).filter((line) => line.msg === 'patient events consumed');
    assert.equal(consumed.length, 1, 'one successful invocation, after the failed ones');
    await assertAnalyticsIsExact(db, token);
  });
});
