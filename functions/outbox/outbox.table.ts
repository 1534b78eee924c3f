import type { ColumnType, Generated, Selectable } from 'kysely';

/**
 * Where an outbox message goes: the billing server (gRPC: accounts, and merges of accounts), the Kafka topic
 * `patient`, or the duplicate report (a scan of the changed patient).
 */
export type OutboxDestination = 'billing' | 'billing-merge' | 'kafka' | 'duplicates';

export interface OutboxTable {
  id: Generated<number>;
  event_id: string;
  destination: OutboxDestination;
  /** The patient the message is about: Kafka key, and ordering unit. */
  aggregate_id: string;
  /** Protobuf bytes: a billing.v1.BillingRequest or a patient.v1.PatientEvent. */
  payload: Buffer;
  created_at: ColumnType<Date, never, never>;
  attempts: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | undefined, Date>;
  last_error: string | null;
  published_at: Date | null;
}

export type OutboxRow = Selectable<OutboxTable>;

export interface OutboxMessage {
  eventId: string;
  destination: OutboxDestination;
  aggregateId: string;
  payload: Uint8Array;
}
