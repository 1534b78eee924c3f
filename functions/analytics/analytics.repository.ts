/** SQL for analytics' own tables (schema `analytics`). Takes a Kysely or a Transaction; the caller owns the transaction. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../shared/db.schema.js';
import type { CountedEventType } from './analytics.tables.js';
import type { CountableEvent } from './patient-event.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Records the event id; false when it was already there (a redelivered event). */
export async function markProcessed(db: Db, event: CountableEvent): Promise<boolean> {
  const inserted = await db
    .insertInto('analytics.processed_events')
    .values({ event_id: event.eventId, event_type: event.type, occurred_at: event.occurredAt })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function incrementDailyCount(db: Db, event: CountableEvent): Promise<void> {
  await db
    .insertInto('analytics.daily_counts')
    .values({
      day: event.occurredAt.toISOString().slice(0, 10),
      event_type: event.type,
      count: 1,
      last_event_at: event.occurredAt,
    })
    .onConflict((oc) =>
      oc.columns(['day', 'event_type']).doUpdateSet((eb) => ({
        count: eb('analytics.daily_counts.count', '+', 1),
        last_event_at: sql<Date>`greatest(${eb.ref('analytics.daily_counts.last_event_at')}, ${eb.ref('excluded.last_event_at')})`,
      })),
    )
    .execute();
}

export interface SkippedRecord {
  topic: string;
  partition: number;
  offset: string;
  reason: string;
}

/** Idempotent too: a redelivered poison record is recorded once, by its Kafka coordinates. */
export async function recordSkipped(db: Db, record: SkippedRecord): Promise<void> {
  await db
    .insertInto('analytics.skipped_records')
    .values({ topic: record.topic, kafka_partition: record.partition, kafka_offset: record.offset, reason: record.reason.slice(0, 200) })
    .onConflict((oc) => oc.columns(['topic', 'kafka_partition', 'kafka_offset']).doNothing())
    .execute();
}

export interface TotalRow {
  event_type: CountedEventType;
  count: number;
  last_event_at: Date;
}

export async function totalsByType(db: Db): Promise<TotalRow[]> {
  return db
    .selectFrom('analytics.daily_counts')
    .select(['event_type', sql<number>`sum(count)::bigint`.as('count'), sql<Date>`max(last_event_at)`.as('last_event_at')])
    .groupBy('event_type')
    .execute();
}

export async function dailyCounts(db: Db, type: CountedEventType): Promise<Array<{ day: string; count: number }>> {
  return db.selectFrom('analytics.daily_counts').select(['day', 'count']).where('event_type', '=', type).orderBy('day').execute();
}
