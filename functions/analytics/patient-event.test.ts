import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SelfManagedKafkaEvent } from 'aws-lambda';
import { PatientEvent, PatientEventType } from '../../proto/generated/messages/patient_event.js';
import { recordsOf } from './kafka-event.js';
import { decodePatientEvent } from './patient-event.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../test/events/${name}`, import.meta.url), 'utf8')) as SelfManagedKafkaEvent;

const encode = (event: Partial<PatientEvent>) =>
  PatientEvent.encode({
    eventId: 'e1',
    patientId: 'p1',
    eventType: PatientEventType.PATIENT_CREATED,
    occurredAt: { seconds: 1_795_000_000, nanos: 0 },
    patientVersion: 1,
    relatedPatientId: '',
    ...event,
  }).finish();

describe('reading the Kafka event', () => {
  test('reads the records of every partition, each partition in offset order', () => {
    const event = fixture('patient-events.json');
    event.records['patient-1']!.reverse();

    const records = recordsOf(event);

    assert.deepEqual(
      records.map((r) => `${r.partition}:${r.offset}`),
      ['0:0', '0:1', '1:0', '1:1', '1:2'],
    );
  });

  test('reads a record without a value as a null value', () => {
    const event = fixture('patient-events.json');
    delete (event.records['patient-0']![0] as { value?: string }).value;

    assert.equal(recordsOf(event)[0]!.value, null);
  });
});

describe('decoding a patient event', () => {
  test('decodes every record of the fixture event into a countable event', () => {
    const decoded = recordsOf(fixture('patient-events.json')).map((record) => decodePatientEvent(record.value));

    assert.deepEqual(
      decoded.map((result) => (result.ok ? result.event.type : result.reason)),
      ['created', 'updated', 'created', 'created', 'deleted'],
    );
    assert.deepEqual(decoded[0], {
      ok: true,
      event: { eventId: '0b6f1a52-8c3e-4d27-9f10-1a2b3c4d5e01', type: 'created', occurredAt: new Date('2026-11-24T09:15:00.250Z') },
    });
  });

  test('rejects the poison record of the fixture as not a PatientEvent', () => {
    const poison = recordsOf(fixture('patient-events-with-poison.json'))[1]!;

    assert.deepEqual(decodePatientEvent(poison.value), { ok: false, reason: 'not a patient.v1.PatientEvent' });
  });

  test('rejects an empty value', () => {
    assert.deepEqual(decodePatientEvent(null), { ok: false, reason: 'empty value' });
  });

  test('rejects an event without an event id', () => {
    assert.deepEqual(decodePatientEvent(encode({ eventId: '' })), { ok: false, reason: 'invalid event_id' });
  });

  test('rejects an event id with a NUL, which PostgreSQL could never store', () => {
    assert.deepEqual(decodePatientEvent(encode({ eventId: 'e1\u0000' })), { ok: false, reason: 'invalid event_id' });
  });

  test('rejects an event id with other control characters', () => {
    assert.deepEqual(decodePatientEvent(encode({ eventId: 'e1\n\u001b' })), { ok: false, reason: 'invalid event_id' });
  });

  test('decodes a merge and the undoing of one as merged and unmerged events', () => {
    const relatedPatientId = '5a0e3c1d-7b2f-4e6a-8c9d-1f2e3a4b5c62';
    const decoded = [PatientEventType.PATIENT_MERGED, PatientEventType.PATIENT_UNMERGED].map((eventType) =>
      decodePatientEvent(encode({ eventType, relatedPatientId })),
    );

    assert.deepEqual(decoded.map((result) => (result.ok ? result.event.type : result.reason)), ['merged', 'unmerged']);
  });

  test('decodes the merge events of the merge fixture in the order of their partitions', () => {
    const decoded = recordsOf(fixture('patient-merge-events.json')).map((record) => decodePatientEvent(record.value));

    assert.deepEqual(
      decoded.map((result) => (result.ok ? result.event.type : result.reason)),
      ['created', 'created', 'merged', 'merged', 'unmerged', 'created'],
    );
  });

  test('rejects an event of an unknown type', () => {
    const result = decodePatientEvent(encode({ eventType: PatientEventType.PATIENT_EVENT_TYPE_UNSPECIFIED }));

    assert.deepEqual(result, { ok: false, reason: 'unknown event_type 0' });
  });

  test('rejects an event without occurred_at', () => {
    assert.deepEqual(decodePatientEvent(encode({ occurredAt: undefined })), { ok: false, reason: 'missing occurred_at' });
  });
});
