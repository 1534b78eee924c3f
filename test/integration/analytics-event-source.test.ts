/**
 * Kafka → local event source (scripts/local/kafka-event-source.ts) → the analytics function → PostgreSQL,
 * with a real broker and a real database. The invoke endpoint here speaks serverless-offline's Lambda
 * invoke API and runs the analytics handler in-process, answering a thrown error as serverless-offline
 * does (X-Amz-Function-Error: Unhandled).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SelfManagedKafkaEvent } from 'aws-lambda';
import { Kafka, logLevel } from 'kafkajs';
import { sql, type Kysely } from 'kysely';
import { PatientEvent, PatientEventType } from '../../proto/generated/patient_event.js';
import { ensureTopics, startKafkaBroker, type KafkaBrokerHandle } from '../../scripts/kafka/broker.js';
import { startKafkaEventSource, type KafkaEventSource } from '../../scripts/local/kafka-event-source.js';
import { migrateToLatest } from '../../scripts/migrate.js';
import { createKafka, type OutgoingMessage } from '../../functions/shared/kafka.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

// Not the default 9092 (a developer's broker) nor the broker test's port.
const port = 19492;
const brokers = [`127.0.0.1:${port}`];
const topic = 'patient';
const functionName = 'patient-management-local-analyticsConsumer';
const timeout = 60_000;

interface Invocation {
  event: SelfManagedKafkaEvent;
  /** Set when the function has answered; a test that waits for a success must not read counts before. */
  outcome?: 'succeeded' | 'failed';
}

let dataDir = '';
let broker: KafkaBrokerHandle | undefined;
let database: TestDatabase;
let lambdaEndpoint: Server;
let source: KafkaEventSource | undefined;
let db: Kysely<import('../../functions/shared/db.schema.js').Database>;
let getAnalytics: typeof import('../../functions/analytics/analytics.service.js').getAnalytics;
let closeDb: () => Promise<void>;
const invocations: Invocation[] = [];

before(async () => {
  dataDir = await mkdtemp(join(process.env.TEST_STACK_DIR ?? tmpdir(), 'analytics-event-source-test-'));
  [broker, database] = await Promise.all([startKafkaBroker({ dataDir, port }), createTestDatabase('analytics_source')]);
  await ensureTopics(brokers, [{ topic, numPartitions: 2 }]);
  await migrateToLatest(database.url);
  process.env.DATABASE_URL = database.url;
  process.env.LOG_LEVEL = 'silent';
  const { handler } = await import('../../functions/analytics/consume-patient-events.js');
  ({ getAnalytics } = await import('../../functions/analytics/analytics.service.js'));
  const shared = await import('../../functions/shared/db.js');
  db = shared.createDb(database.url, 1);
  closeDb = shared.closeDb;
  lambdaEndpoint = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SelfManagedKafkaEvent;
      const invocation: Invocation = { event };
      invocations.push(invocation);
      assert.equal(request.url, `/2015-03-31/functions/${functionName}/invocations`);
      handler(event, { awsRequestId: randomUUID() }).then(
        (result) => {
          invocation.outcome = 'succeeded';
          response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(result));
        },
        (error: Error) => {
          invocation.outcome = 'failed';
          response
            .writeHead(200, { 'Content-Type': 'application/json', 'X-Amz-Function-Error': 'Unhandled' })
            .end(JSON.stringify({ errorType: error.name, errorMessage: error.message }));
        },
      );
    });
  });
  await new Promise<void>((listening) => lambdaEndpoint.listen(0, '127.0.0.1', listening));
  source = await startSource();
});

after(async () => {
  await source?.stop();
  lambdaEndpoint?.close();
  await db?.destroy();
  await closeDb?.();
  await broker?.stop();
  await database?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

function startSource(): Promise<KafkaEventSource> {
  return startKafkaEventSource({
    brokers,
    topic,
    groupId: 'patient-analytics',
    functionName,
    lambdaEndpoint: `http://127.0.0.1:${(lambdaEndpoint.address() as AddressInfo).port}`,
    log: () => {},
  });
}

function patientEvent(patientId: string, type: PatientEventType, version: number, eventId = randomUUID()): OutgoingMessage {
  const now = Date.now();
  const value = PatientEvent.encode({
    eventId,
    patientId,
    eventType: type,
    occurredAt: { seconds: Math.floor(now / 1000), nanos: (now % 1000) * 1_000_000 },
    patientVersion: version,
    relatedPatientId: '',
  }).finish();
  return { key: patientId, value: Buffer.from(value), headers: { 'event-id': eventId } };
}

async function publish(messages: OutgoingMessage[]): Promise<void> {
  const producer = createKafka(brokers, 'analytics-event-source-test', { logLevel: 'nothing' }).producer();
  await producer.connect();
  try {
    await producer.send(topic, messages);
  } finally {
    await producer.disconnect();
  }
}

async function until(condition: () => Promise<boolean> | boolean, what: string, maxWaitMs = 30_000): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const offsetsOf = (event: SelfManagedKafkaEvent) =>
  Object.values(event.records).flat().map((record) => `${record.partition}:${record.offset}`);

describe('the local Kafka event source with the analytics function', { timeout: 180_000 }, () => {
  test('counts every patient event published to Kafka once, a duplicate publish included', { timeout }, async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const createdA = patientEvent(a, PatientEventType.PATIENT_CREATED, 1);

    await publish([
      createdA,
      patientEvent(b, PatientEventType.PATIENT_CREATED, 1),
      patientEvent(c, PatientEventType.PATIENT_CREATED, 1),
      patientEvent(a, PatientEventType.PATIENT_UPDATED, 2),
      patientEvent(c, PatientEventType.PATIENT_DELETED, 2),
      createdA, // the outbox relay publishes at least once
    ]);
    await until(async () => invocations.flatMap((i) => offsetsOf(i.event)).length >= 6, 'six records delivered');
    // A delivery is recorded when the invocation starts; wait for the counting to finish too.
    await until(async () => (await getAnalytics(db)).eventsProcessed >= 5, 'five events counted');

    const analytics = await getAnalytics(db);
    assert.deepEqual(
      { ...analytics, lastEventAt: undefined, createdPerDay: undefined },
      { patientsCreated: 3, patientsUpdated: 1, patientsDeleted: 1, patientsMerged: 0, patientsUnmerged: 0, activePatients: 2, eventsProcessed: 5, lastEventAt: undefined, createdPerDay: undefined },
    );
    for (const { event } of invocations) {
      assert.equal(event.eventSource, 'SelfManagedKafka');
      for (const [partitionKey, records] of Object.entries(event.records)) {
        assert.match(partitionKey, /^patient-[01]$/);
        for (const record of records) assert.match(Buffer.from(record.key, 'base64').toString(), /^[0-9a-f-]{36}$/);
      }
    }
  });

  test('retries a batch whose invocation failed until it succeeds, losing and double-counting nothing', { timeout }, async () => {
    const before = (await getAnalytics(db)).patientsCreated;
    const firstNew = invocations.length;
    await sql`create function analytics.unavailable() returns trigger language plpgsql as $$
      begin raise exception 'database unavailable' using errcode = '57P03'; end $$`.execute(db);
    await sql`create trigger unavailable before insert on analytics.processed_events
      for each row execute function analytics.unavailable()`.execute(db);
    const patient = randomUUID();

    await publish([patientEvent(patient, PatientEventType.PATIENT_CREATED, 1), patientEvent(patient, PatientEventType.PATIENT_UPDATED, 2)]);
    await until(() => invocations.slice(firstNew).filter((i) => i.outcome === 'failed').length >= 2, 'two failed invocations');
    await sql`drop trigger unavailable on analytics.processed_events`.execute(db);
    await sql`drop function analytics.unavailable()`.execute(db);
    await until(() => invocations.slice(firstNew).some((i) => i.outcome === 'succeeded'), 'a successful invocation');

    const attempts = invocations.slice(firstNew).map((i) => offsetsOf(i.event).join(','));
    assert.ok(attempts.every((offsets) => offsets === attempts[0]), `every attempt carries the same batch: ${attempts.join(' | ')}`);
    assert.equal((await getAnalytics(db)).patientsCreated, before + 1);
  });

  test('commits offsets only after success, so a restarted event source delivers only newer records', { timeout }, async () => {
    const delivered = new Set(invocations.filter((i) => i.outcome === 'succeeded').flatMap((i) => offsetsOf(i.event)));
    // The consumer commits a batch's offsets just after its invocation returned: stopping in between would
    // redeliver it, as it should. What is pinned here is that committed records are not delivered again.
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await until(async () => {
        const [committed] = await admin.fetchOffsets({ groupId: 'patient-analytics', topics: [topic] });
        const next = new Map(committed?.partitions.map((p) => [String(p.partition), Number(p.offset)]));
        return [...delivered].every((key) => {
          const [partition, offset] = key.split(':');
          return (next.get(partition!) ?? -1) > Number(offset);
        });
      }, 'the delivered offsets committed');
    } finally {
      await admin.disconnect();
    }
    await source?.stop();
    const firstNew = invocations.length;
    source = await startSource();

    await publish([patientEvent(randomUUID(), PatientEventType.PATIENT_CREATED, 1)]);
    await until(() => invocations.slice(firstNew).some((i) => i.outcome === 'succeeded'), 'the new record delivered');

    const redelivered = invocations.slice(firstNew).flatMap((i) => offsetsOf(i.event)).filter((offset) => delivered.has(offset));
    assert.deepEqual(redelivered, []);
  });
});
