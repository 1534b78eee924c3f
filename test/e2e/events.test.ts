/**
 * A patient's life through the real pipeline: the API writes outbox rows, the relay publishes them to the Kafka
 * topic `patient`, the event source hands them to the analytics function, which counts each exactly once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import type { Database } from '../../functions/shared/db.schema.js';
import { PatientEventType } from '../../proto/generated/patient_event.js';
import { call, eventually, login, newPatient } from '../support/api.js';
import { assertMatchesContract, type ApiResponse } from '../support/contract.js';
import {
  assertAnalyticsIsExact,
  kafkaOutboxRows,
  readPatientTopic,
  stackDatabase,
  timesProcessed,
  waitForAnalyticsToCatchUp,
  type OutboxEvent,
  type PatientEventRecord,
} from '../support/kafka.js';

let db: Kysely<Database>;
let token: string;
let patientId: string;
let outboxRows: OutboxEvent[];
let onTopic: PatientEventRecord[];
/** Every name, email, address and birth date the patient had. */
let patientData: string[];

before(async () => {
  db = stackDatabase();
  token = (await login()).token;

  const first = newPatient();
  const corrected = newPatient({ address: `2 Other Street ${Date.now().toString(36)}` });
  patientData = [first, corrected].flatMap(({ name, email, address, dateOfBirth }) => [name, email, address, dateOfBirth]);
  const created = await change('POST', '/api/patients', 201, { body: first });
  patientId = (created.body as { id: string }).id;
  const updated = await change('PUT', `/api/patients/${patientId}`, 200, {
    body: corrected,
    headers: { 'If-Match': created.headers.get('etag')! },
  });
  await change('DELETE', `/api/patients/${patientId}`, 204, { headers: { 'If-Match': updated.headers.get('etag')! } });

  // Everything the relay will ever publish for this patient is on the topic once its rows are marked published.
  outboxRows = await eventually(async () => {
    const rows = await kafkaOutboxRows(db, patientId);
    return rows.length === 3 && rows.every((row) => row.publishedAt !== null) ? rows : undefined;
  }, 60_000);
  const ofPatient = (records: PatientEventRecord[]) => records.filter(({ record }) => record.key === patientId);
  onTopic = ofPatient(await readPatientTopic((records) => ofPatient(records).length >= 3));
});

/** A patient change through the API that must answer `status` as openapi.yaml documents it. */
async function change(method: string, path: string, status: number, options: { body?: unknown; headers?: Record<string, string> }): Promise<ApiResponse> {
  const started = Date.now();
  const response = await call(method, path, { token, ...options });
  // The response text in the message: serverless-offline answers a Lambda error or timeout with a 200 and the error as body.
  const context = `${method} ${path} answered ${response.status} after ${Date.now() - started} ms: ${response.text.slice(0, 300)}`;
  assert.equal(response.status, status, context);
  assert.doesNotThrow(() => assertMatchesContract(response, method, path.replace(/[0-9a-f-]{36}$/, '{id}')), context);
  return response;
}

after(async () => {
  await db.destroy();
});

describe('a patient created, corrected and deleted through the API', { timeout: 120_000 }, () => {
  test('appears on the topic as exactly three events, created, updated and deleted, in that order', () => {
    assert.deepEqual(
      onTopic.map(({ event }) => event.eventType),
      [PatientEventType.PATIENT_CREATED, PatientEventType.PATIENT_UPDATED, PatientEventType.PATIENT_DELETED],
    );
  });

  test('its events are keyed by the patient id, on one partition, and name the patient', () => {
    assert.deepEqual(onTopic.map(({ record }) => record.key), [patientId, patientId, patientId]);
    assert.equal(new Set(onTopic.map(({ record }) => record.partition)).size, 1);
    assert.deepEqual(onTopic.map(({ event }) => event.patientId), [patientId, patientId, patientId]);
  });

  test('its records carry no patient data: no name, email, address or birth date in key, value or headers', () => {
    // The raw bytes: the generated codec would skip a field it does not know, and so would hide it.
    const found = onTopic.flatMap(({ record }) => {
      const parts = [Buffer.from(record.key ?? ''), record.value ?? Buffer.alloc(0), ...Object.entries(record.headers).map(([name, value]) => Buffer.from(`${name}:${value}`))];
      return patientData.filter((value) => parts.some((part) => part.includes(Buffer.from(value)))).map((value) => `offset ${record.offset}: ${value}`);
    });
    assert.equal(onTopic.length, 3);
    assert.deepEqual(found, []);
  });

  test('its events carry the patient versions in increasing order', () => {
    const versions = onTopic.map(({ event }) => event.patientVersion);
    assert.ok(versions.every((version, i) => i === 0 || version > versions[i - 1]!), `versions ${versions.join(', ')}`);
  });

  test('each event id is that of its outbox row, in the payload and in the event-id header', () => {
    const outboxIds = outboxRows.map((row) => row.eventId);
    assert.deepEqual(onTopic.map(({ event }) => event.eventId), outboxIds);
    assert.deepEqual(onTopic.map(({ record }) => record.headers['event-id']), outboxIds);
  });

  test('analytics records each of the three events exactly once', async () => {
    const eventIds = outboxRows.map((row) => row.eventId);
    await eventually(async () => ((await timesProcessed(db, eventIds)).every((times) => times > 0) ? true : undefined), 60_000);
    assert.deepEqual(await timesProcessed(db, eventIds), [1, 1, 1]);
  });

  test('once analytics has caught up, GET /api/analytics matches the patients table and the outbox exactly', async () => {
    await waitForAnalyticsToCatchUp(db);

    await assertAnalyticsIsExact(db, token);
  });
});
