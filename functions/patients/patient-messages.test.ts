import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MergeAccountsRequest } from '../../proto/generated/messages/billing.js';
import { PatientEvent, PatientEventType } from '../../proto/generated/messages/patient_event.js';
import { billingMergeMessage, patientEventMessage } from './patient-messages.js';

const source = '5a0e3c1d-7b2f-4e6a-8c9d-1f2e3a4b5c61';
const target = '5a0e3c1d-7b2f-4e6a-8c9d-1f2e3a4b5c62';
const mergeId = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';

describe('patient events for Kafka', () => {
  test('a merge event is about the source, keyed by it, and names the target as the related patient', () => {
    const message = patientEventMessage('merged', { id: source, version: 4 }, new Date('2026-12-07T08:00:00.250Z'), { relatedPatientId: target });

    const event = PatientEvent.decode(message.payload);
    assert.deepEqual([message.destination, message.aggregateId], ['kafka', source]);
    assert.deepEqual(
      [event.eventId, event.patientId, event.eventType, event.relatedPatientId, event.patientVersion],
      [message.eventId, source, PatientEventType.PATIENT_MERGED, target, 4],
    );
    assert.deepEqual(event.occurredAt, { seconds: 1_796_630_400, nanos: 250_000_000 });
  });

  test('an unmerge event has its own type', () => {
    const message = patientEventMessage('unmerged', { id: source, version: 5 }, new Date(), { relatedPatientId: target });

    assert.equal(PatientEvent.decode(message.payload).eventType, PatientEventType.PATIENT_UNMERGED);
  });

  test('the events of existing callers carry no related patient', () => {
    const event = PatientEvent.decode(patientEventMessage('updated', { id: source, version: 2 }).payload);

    assert.deepEqual([event.eventType, event.relatedPatientId], [PatientEventType.PATIENT_UPDATED, '']);
  });

  test('a merge event without its target, or a related patient on another event, is a programming error', () => {
    assert.throws(() => patientEventMessage('merged', { id: source, version: 4 }), TypeError);
    assert.throws(() => patientEventMessage('deleted', { id: source, version: 4 }, new Date(), { relatedPatientId: target }), TypeError);
  });
});

describe('the billing message of a merge', () => {
  test('goes to billing-merge, keyed by the source, as a MergeAccountsRequest', () => {
    const message = billingMergeMessage({ mergeId, sourceId: source, targetId: target, undo: false });

    assert.deepEqual([message.destination, message.aggregateId], ['billing-merge', source]);
    assert.deepEqual(MergeAccountsRequest.decode(message.payload), { mergeId, sourcePatientId: source, targetPatientId: target, undo: false });
  });

  test('an undo carries the same merge and undo set', () => {
    const message = billingMergeMessage({ mergeId, sourceId: source, targetId: target, undo: true });

    assert.deepEqual(MergeAccountsRequest.decode(message.payload), { mergeId, sourcePatientId: source, targetPatientId: target, undo: true });
  });
});
