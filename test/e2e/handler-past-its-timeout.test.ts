/**
 * Issue 18: patches/serverless-offline cancels an invocation's timeout timer when the handler answers; a handler
 * that runs past its timeout must still be cut off with serverless offline's `[504] - Lambda timeout.`. A
 * serverless offline of this file's own gives the functions a 3 s timeout (`--param=functionTimeout=3`; the
 * stack's is 30 s) over a database of its own, and the handler is made slow the way a real one is: the test
 * holds a lock on the row it needs (an uncommitted `processed_events` row with the event's id), then lets go.
 *
 * The function is the analytics consumer, invoked as its event source does. An HTTP function does not reach the
 * timer: its middy chain answers 250 ms before the timeout by itself (middy's timeoutEarly, functions/shared/http.ts), which the API answers
 * as a 503 problem with Retry-After (the last test).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { SelfManagedKafkaEvent } from 'aws-lambda';
import pg from 'pg';
import { login } from '../support/api.js';
import { assertMatchesContract } from '../support/contract.js';
import { PatientEvent, PatientEventType } from '../../proto/generated/patient_event.js';
import { migrateToLatest } from '../../scripts/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startSeparateOffline, type SeparateOffline } from '../support/separate-offline.js';

const TIMEOUT_MS = 3_000;
const FUNCTION = 'patient-management-local-analyticsConsumer';

let database: TestDatabase;
let offline: SeparateOffline;
let session: pg.Client;

before(async () => {
  database = await createTestDatabase('timeout');
  await migrateToLatest(database.url);
  offline = await startSeparateOffline('handler-timeout-offline', {
    params: { functionTimeout: String(TIMEOUT_MS / 1000) },
    env: { DATABASE_URL: database.url },
  });
  session = new pg.Client({ connectionString: database.url });
  await session.connect();
  // Loads the function, so that its cold start is not part of what the tests time.
  assert.equal((await invokeConsumer(randomUUID())).functionError, null);
});

after(async () => {
  await session?.end();
  await offline?.stop();
  await database?.drop();
});

/** One `patient created` event, delivered the way the Kafka event source mapping delivers it; timed. */
async function invokeConsumer(eventId: string) {
  const value = PatientEvent.encode({
    eventId,
    patientId: randomUUID(),
    eventType: PatientEventType.PATIENT_CREATED,
    occurredAt: { seconds: Math.floor(Date.now() / 1000), nanos: 0 },
    patientVersion: 1,
    relatedPatientId: '',
  }).finish();
  const record = { topic: 'patient', partition: 0, offset: 0, timestamp: Date.now(), timestampType: 'CREATE_TIME', key: '', headers: [] };
  const event = {
    eventSource: 'SelfManagedKafka',
    bootstrapServers: 'localhost:9092',
    records: { 'patient-0': [{ ...record, value: Buffer.from(value).toString('base64') }] },
  } as unknown as SelfManagedKafkaEvent;
  const started = Date.now();
  const response = await fetch(`${offline.lambdaEndpoint}/2015-03-31/functions/${FUNCTION}/invocations`, {
    method: 'POST',
    headers: { 'X-Amz-Invocation-Type': 'RequestResponse' },
    body: JSON.stringify(event),
    // Were the timer never to fire, the handler would wait for the row as long as the test holds it.
    signal: AbortSignal.timeout(TIMEOUT_MS + 15_000),
  });
  const text = await response.text();
  return { status: response.status, functionError: response.headers.get('x-amz-function-error'), text, ms: Date.now() - started };
}

/** Runs `work` while this session holds, uncommitted, the processed_events row of `eventId`. */
async function whileHoldingTheRowOf<T>(eventId: string, work: () => Promise<T>): Promise<T> {
  await session.query('begin');
  try {
    await session.query(`insert into analytics.processed_events (event_id, event_type, occurred_at) values ($1, 'created', now())`, [eventId]);
    return await work();
  } finally {
    await session.query('rollback');
  }
}

/** Backends whose query waits for a lock this session holds. */
async function waitingForUs(): Promise<number> {
  const { rows } = await session.query<{ waiting: number }>('select count(*)::int as waiting from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid))');
  return rows[0]!.waiting;
}

describe('a function whose handler runs past its timeout (serverless offline, patched timer)', () => {
  test('is cut off with a 504 Lambda timeout once the timeout has passed, while the handler still waits', async () => {
    const eventId = randomUUID();

    const { response, waiting } = await whileHoldingTheRowOf(eventId, async () => {
      const answered = await invokeConsumer(eventId);
      return { response: answered, waiting: await waitingForUs() };
    });

    assert.equal(response.functionError, 'Unhandled', response.text);
    assert.match(response.text, /\[504\] - Lambda timeout\./);
    assert.ok(response.ms >= TIMEOUT_MS - 100, `cut off after ${response.ms} ms, before the ${TIMEOUT_MS} ms timeout`);
    // Its insert still waited for our row: nothing but the timeout can have ended the invocation.
    assert.equal(waiting, 1, 'the handler was no longer waiting for the row');
  });

  test('a handler that answers in time is not cut off, and the next slow one still is', async () => {
    const quick = await invokeConsumer(randomUUID());
    assert.equal(quick.functionError, null, quick.text);
    assert.match(quick.text, /"counted":1/);

    // The quick invocation's cancelled timer must not have disarmed the next invocation's.
    const eventId = randomUUID();
    const slow = await whileHoldingTheRowOf(eventId, () => invokeConsumer(eventId));
    assert.equal(slow.functionError, 'Unhandled', slow.text);
    assert.match(slow.text, /\[504\] - Lambda timeout\./);
  });

  test('an HTTP route whose work waits past the timeout answers 503 problem+json with Retry-After, not 5xx of its own', async () => {
    const { token } = await login();
    const { rows } = await session.query<{ id: string }>(
      `insert into patients (name, email, address, date_of_birth, registered_date) values ('Timeout Test', $1, '1 Lock Street', '1980-01-01', '2024-01-01') returning id`,
      [`timeout.${randomUUID()}@example.org`],
    );
    const id = rows[0]!.id;
    // Loaded first: serverless offline's own timer runs from the invocation's start, so a cold load inside the
    // timed call would let it fire before middy's.
    const warm = await fetch(`${offline.url}/api/patients/${randomUUID()}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
    assert.equal(warm.status, 404);
    await session.query('begin');
    try {
      await session.query('select id from patients where id = $1 for update', [id]);
      const response = await fetch(`${offline.url}/api/patients/${id}`, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${token}`, 'If-Match': '"v1"' },
        signal: AbortSignal.timeout(TIMEOUT_MS + 15_000),
      });
      const text = await response.text();
      assert.equal(response.status, 503, text);
      assert.equal(response.headers.get('retry-after'), '2');
      assertMatchesContract({ status: response.status, headers: response.headers, body: JSON.parse(text), text }, 'DELETE', '/api/patients/{id}');
      assert.equal(await waitingForUs(), 1, 'answered while the delete still waited for the row');
    } finally {
      await session.query('rollback');
    }
  });
});
