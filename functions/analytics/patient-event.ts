/**
 * Turns the bytes of a Kafka record into an event analytics can count, or into the reason it cannot.
 * Anything that would make the database reject the event deterministically is caught here, so such a
 * record is skipped instead of failing its batch forever.
 */
import { PatientEvent, PatientEventType } from '../../proto/generated/messages/patient_event.js';
import type { CountedEventType } from './analytics.tables.js';

export interface CountableEvent {
  eventId: string;
  type: CountedEventType;
  occurredAt: Date;
}

export type DecodeResult = { ok: true; event: CountableEvent } | { ok: false; reason: string };

const TYPES: Partial<Record<PatientEventType, CountedEventType>> = {
  [PatientEventType.PATIENT_CREATED]: 'created',
  [PatientEventType.PATIENT_UPDATED]: 'updated',
  [PatientEventType.PATIENT_DELETED]: 'deleted',
  [PatientEventType.PATIENT_MERGED]: 'merged',
  [PatientEventType.PATIENT_UNMERGED]: 'unmerged',
};

const MAX_EVENT_ID_LENGTH = 128;
// PostgreSQL text cannot hold NUL, and no producer of ours writes control characters into an id.
const CONTROL_CHARACTER = /\p{Cc}/u;
// Dates outside this range are corrupt, and would not fit a 'YYYY-MM-DD' day anyway.
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(9999, 11, 31);

export function decodePatientEvent(bytes: Uint8Array | null): DecodeResult {
  if (!bytes || bytes.length === 0) return { ok: false, reason: 'empty value' };
  let message: PatientEvent;
  try {
    message = PatientEvent.decode(bytes);
  } catch {
    return { ok: false, reason: 'not a patient.v1.PatientEvent' };
  }
  const { eventId } = message;
  if (eventId.length === 0 || eventId.length > MAX_EVENT_ID_LENGTH || CONTROL_CHARACTER.test(eventId)) {
    return { ok: false, reason: 'invalid event_id' };
  }
  const type = TYPES[message.eventType];
  if (!type) return { ok: false, reason: `unknown event_type ${message.eventType}` };
  if (!message.occurredAt) return { ok: false, reason: 'missing occurred_at' };
  const millis = Number(message.occurredAt.seconds) * 1000 + Math.floor(message.occurredAt.nanos / 1_000_000);
  if (!Number.isFinite(millis) || millis < EARLIEST || millis > LATEST) return { ok: false, reason: 'occurred_at out of range' };
  return { ok: true, event: { eventId, type, occurredAt: new Date(millis) } };
}
