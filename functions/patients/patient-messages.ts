/** The outbox messages a patient change produces, encoded with the types generated from proto/. */
import { randomUUID } from 'node:crypto';
import { BillingRequest, MergeAccountsRequest } from '../../proto/generated/messages/billing.js';
import { PatientEvent, PatientEventType } from '../../proto/generated/messages/patient_event.js';
import type { OutboxMessage } from '../outbox/outbox.table.js';
import type { PatientRow } from './patient.table.js';

export type PatientChange = 'created' | 'updated' | 'deleted' | 'merged' | 'unmerged';

const EVENT_TYPES: Record<PatientChange, PatientEventType> = {
  created: PatientEventType.PATIENT_CREATED,
  updated: PatientEventType.PATIENT_UPDATED,
  deleted: PatientEventType.PATIENT_DELETED,
  merged: PatientEventType.PATIENT_MERGED,
  unmerged: PatientEventType.PATIENT_UNMERGED,
};

/**
 * A PatientEvent for Kafka, keyed by the patient. For 'merged' and 'unmerged' the patient is the merge's source
 * and `relatedPatientId` its target (required for them, refused for the others).
 */
export function patientEventMessage(
  change: PatientChange,
  patient: { id: string; version: number },
  at = new Date(),
  options: { relatedPatientId?: string } = {},
): OutboxMessage {
  const aboutMerge = change === 'merged' || change === 'unmerged';
  if (aboutMerge !== (options.relatedPatientId !== undefined)) {
    throw new TypeError(`a '${change}' event ${aboutMerge ? 'needs' : 'takes no'} related patient`);
  }
  const eventId = randomUUID();
  const event = PatientEvent.encode({
    eventId,
    patientId: patient.id,
    eventType: EVENT_TYPES[change],
    occurredAt: { seconds: Math.floor(at.getTime() / 1000), nanos: (at.getTime() % 1000) * 1_000_000 },
    patientVersion: patient.version,
    relatedPatientId: options.relatedPatientId ?? '',
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

/**
 * The billing side of a merge (or of its undo): the relay sends it to MergeAccounts, idempotent per merge id.
 * Keyed by the source, and delivered in commit order (publishers.ts), so an undo never overtakes its merge.
 */
export function billingMergeMessage(merge: { mergeId: string; sourceId: string; targetId: string; undo: boolean }): OutboxMessage {
  const request = MergeAccountsRequest.encode({
    mergeId: merge.mergeId,
    sourcePatientId: merge.sourceId,
    targetPatientId: merge.targetId,
    undo: merge.undo,
  }).finish();
  return { eventId: randomUUID(), destination: 'billing-merge', aggregateId: merge.sourceId, payload: request };
}
