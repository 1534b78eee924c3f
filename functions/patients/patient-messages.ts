/** The outbox messages a patient change produces, encoded with the types generated from proto/. */
import { randomUUID } from 'node:crypto';
import { BillingRequest } from '../../proto/generated/messages/billing.js';
import { PatientEvent, PatientEventType } from '../../proto/generated/messages/patient_event.js';
import type { OutboxMessage } from '../outbox/outbox.table.js';
import type { PatientRow } from './patient.table.js';

export type PatientChange = 'created' | 'updated' | 'deleted';

const EVENT_TYPES: Record<PatientChange, PatientEventType> = {
  created: PatientEventType.PATIENT_CREATED,
  updated: PatientEventType.PATIENT_UPDATED,
  deleted: PatientEventType.PATIENT_DELETED,
};

export function patientEventMessage(change: PatientChange, patient: { id: string; version: number }, at = new Date()): OutboxMessage {
  const eventId = randomUUID();
  const event = PatientEvent.encode({
    eventId,
    patientId: patient.id,
    eventType: EVENT_TYPES[change],
    occurredAt: { seconds: Math.floor(at.getTime() / 1000), nanos: (at.getTime() % 1000) * 1_000_000 },
    patientVersion: patient.version,
  }).finish();
  return { eventId, destination: 'kafka', aggregateId: patient.id, payload: event };
}

/** The seed's billing call, made durable: the relay sends it to CreateBillingAccount (idempotent per patient). */
export function billingAccountMessage(patient: Pick<PatientRow, 'id' | 'name' | 'email'>): OutboxMessage {
  const request = BillingRequest.encode({ patientId: patient.id, name: patient.name, email: patient.email }).finish();
  return { eventId: randomUUID(), destination: 'billing', aggregateId: patient.id, payload: request };
}

/**
 * Asks the duplicate report to scan a changed patient again (functions/patients/patient-duplicates.service.ts). The
 * patient id (the aggregate) is all it says, so the payload is empty: the scan reads the record as it is by then.
 */
export function duplicateScanMessage(patientId: string): OutboxMessage {
  return { eventId: randomUUID(), destination: 'duplicates', aggregateId: patientId, payload: new Uint8Array(0) };
}
