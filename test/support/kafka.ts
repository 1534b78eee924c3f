/**
 * Helpers for the end-to-end tests of patient events (API → outbox → Kafka topic `patient` → analytics), against
 * the stack that scripts/test.ts started: its database (TEST_STACK_DATABASE_URL), its broker (KAFKA_BROKERS,
 * TEST_KAFKA_DATA_DIR, TEST_KAFKA_PORT) and its Lambda endpoint (LAMBDA_ENDPOINT).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { SelfManagedKafkaEvent } from 'aws-lambda';
import { sql, type Kysely } from 'kysely';
import type { ConsumeReport } from '../../functions/analytics/analytics.service.js';
import { createDb } from '../../functions/shared/db.js';
import type { Database } from '../../functions/shared/db.schema.js';
import { createKafka, type IncomingRecord } from '../../functions/shared/kafka.js';
import { PatientEvent } from '../../proto/generated/patient_event.js';
import { startKafkaBroker, stopKafkaBrokerAt } from '../../scripts/kafka/broker.js';
import { call, eventually } from './api.js';

export const PATIENT_TOPIC = 'patient';
export const ANALYTICS_FUNCTION = 'patient-management-local-analyticsConsumer';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the end-to-end tests with \`npm test\``);
  return value;
}

export const stackBrokers = (): string[] => required('KAFKA_BROKERS').split(',');

/** The functions' database of the test stack; the caller destroys it in `after`. */
export function stackDatabase(): Kysely<Database> {
  return createDb(required('TEST_STACK_DATABASE_URL'), 2);
}

/** A record of the topic with its value decoded by the generated codec. */
export interface PatientEventRecord {
  record: IncomingRecord;
  event: PatientEvent;
}

/**
 * Reads the topic from the beginning with a fresh consumer group until `done` holds for the records seen, then
 * keeps reading for `settleMs` more, so a duplicate behind the last expected record is seen too.
 */
export async function readPatientTopic(
  done: (records: PatientEventRecord[]) => boolean,
  { timeoutMs = 60_000, settleMs = 2_000 } = {},
): Promise<PatientEventRecord[]> {
  const records: PatientEventRecord[] = [];
  const consumer = createKafka(stackBrokers(), 'e2e-topic-reader', { logLevel: 'nothing' }).consumer({
    groupId: `e2e-reader-${randomUUID()}`,
    topics: [PATIENT_TOPIC],
    fromBeginning: true,
    maxWaitTimeMs: 100,
  });
  await consumer.connect();
  try {
    await consumer.run(async (batch) => {
      for (const record of batch.records) records.push({ record, event: PatientEvent.decode(record.value ?? new Uint8Array()) });
    });
    await eventually(async () => (done(records) ? true : undefined), timeoutMs, 100);
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return [...records];
  } finally {
    await consumer.disconnect();
  }
}

export interface OutboxEvent {
  eventId: string;
  publishedAt: Date | null;
  attempts: number;
  payload: Buffer;
}

/** A patient's Kafka outbox rows, in commit order. */
export async function kafkaOutboxRows(db: Kysely<Database>, patientId: string): Promise<OutboxEvent[]> {
  const rows = await db
    .selectFrom('outbox')
    .select(['event_id', 'published_at', 'attempts', 'payload'])
    .where('destination', '=', 'kafka')
    .where('aggregate_id', '=', patientId)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ eventId: row.event_id, publishedAt: row.published_at, attempts: row.attempts, payload: row.payload }));
}

/** How many times each event id is recorded in analytics.processed_events (from `table`, renamed by a fault test). */
export async function timesProcessed(db: Kysely<Database>, eventIds: string[], table = 'processed_events'): Promise<number[]> {
  const { rows } = await sql<{ event_id: string; times: number }>`
    select event_id, count(*)::int as times from ${sql.table(`analytics.${table}`)}
    where event_id in (${sql.join(eventIds)}) group by event_id`.execute(db);
  return eventIds.map((id) => rows.find((row) => row.event_id === id)?.times ?? 0);
}

/**
 * Resolves once every Kafka outbox row is published and its event id is in analytics.processed_events: the whole
 * pipeline has caught up with the patients table.
 */
export async function waitForAnalyticsToCatchUp(db: Kysely<Database>, timeoutMs = 90_000): Promise<void> {
  await eventually(async () => {
    const { rows } = await sql<{ unpublished: number; uncounted: number }>`
      select
        (select count(*)::int from outbox where destination = 'kafka' and published_at is null) as unpublished,
        (select count(*)::int from outbox o where o.destination = 'kafka'
           and not exists (select 1 from analytics.processed_events p where p.event_id = o.event_id::text)) as uncounted
    `.execute(db);
    return rows[0]?.unpublished === 0 && rows[0].uncounted === 0 ? true : undefined;
  }, timeoutMs, 250);
}

/**
 * The exactness invariant, for a pipeline that has caught up (waitForAnalyticsToCatchUp): analytics processed as
 * many events as the outbox holds for Kafka, and GET /api/analytics counts every patient ever created (soft-deleted
 * ones included), every deletion, merge, unmerge and processed update exactly once, and as many active patients as
 * there are live records.
 */
export async function assertAnalyticsIsExact(db: Kysely<Database>, token: string): Promise<void> {
  const { rows } = await sql<{
    kafkaOutboxRows: number;
    processedEvents: number;
    created: number;
    updated: number;
    deleted: number;
    merged: number;
    unmerged: number;
    active: number;
  }>`
    select
      (select count(*)::int from outbox where destination = 'kafka') as "kafkaOutboxRows",
      (select count(*)::int from analytics.processed_events) as "processedEvents",
      (select count(*)::int from patients) as created,
      (select count(*)::int from analytics.processed_events where event_type = 'updated') as updated,
      -- A merged source has deleted_at too (it leaves the live set), but is counted as merged, not deleted.
      (select count(*)::int from patients where deleted_at is not null and merged_into is null) as deleted,
      (select count(*)::int from patient_merges) as merged,
      (select count(*)::int from patient_merges where unmerged_at is not null) as unmerged,
      (select count(*)::int from patients where deleted_at is null) as active
  `.execute(db);
  const truth = rows[0]!;
  const response = await call('GET', '/api/analytics', { token, contract: '/api/analytics' });
  assert.equal(response.status, 200, response.text);
  const reported = response.body as {
    patientsCreated: number;
    patientsUpdated: number;
    patientsDeleted: number;
    patientsMerged: number;
    patientsUnmerged: number;
    activePatients: number;
    eventsProcessed: number;
  };

  assert.equal(truth.processedEvents, truth.kafkaOutboxRows, 'processed events = Kafka outbox rows');
  assert.deepEqual(
    {
      created: reported.patientsCreated,
      updated: reported.patientsUpdated,
      deleted: reported.patientsDeleted,
      merged: reported.patientsMerged,
      unmerged: reported.patientsUnmerged,
      active: reported.activePatients,
      events: reported.eventsProcessed,
    },
    {
      created: truth.created,
      updated: truth.updated,
      deleted: truth.deleted,
      merged: truth.merged,
      unmerged: truth.unmerged,
      active: truth.active,
      events: truth.kafkaOutboxRows,
    },
  );
}

/** Invokes the analytics function the way the event source mapping does; throws on a function error. */
export async function invokeAnalyticsConsumer(event: SelfManagedKafkaEvent): Promise<ConsumeReport> {
  const lambda = new LambdaClient({
    endpoint: required('LAMBDA_ENDPOINT'),
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, // serverless-offline ignores them
    maxAttempts: 1,
  });
  try {
    const response = await lambda.send(
      new InvokeCommand({ FunctionName: ANALYTICS_FUNCTION, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(event)) }),
    );
    const payload = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
    if (response.FunctionError) throw new Error(`${ANALYTICS_FUNCTION} failed: ${payload}`);
    return JSON.parse(payload) as ConsumeReport;
  } finally {
    lambda.destroy();
  }
}

/** The stack's broker, stopped and started again on the same data dir and port (the stack stops it at the end). */
export const stackBroker = {
  stop: () => stopKafkaBrokerAt(required('TEST_KAFKA_DATA_DIR')),
  // Detached, so it outlives this test file's process.
  start: () => startKafkaBroker({ dataDir: required('TEST_KAFKA_DATA_DIR'), port: Number(required('TEST_KAFKA_PORT')), detached: true }),
};
