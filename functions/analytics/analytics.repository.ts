/** SQL for analytics' own tables (schema `analytics`). Takes a Kysely or a Transaction; the caller owns the transaction. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../shared/db.schema.js';
import type { CountedEventType } from './analytics.tables.js';
import type { CountableEvent } from './patient-event.js';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Counts a batch of events in one statement: each event id goes into `processed_events` (an id already there,
 * from an earlier delivery or earlier in this batch, inserts nothing) and only the newly inserted ones are
 * added to their UTC day's count. All of the batch or none of it, in one round trip. Returns how many were new.
 */
export async function countNewEvents(db: Db, events: CountableEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const { counted } = await db
    .with('marked', (qb) =>
      qb
        .insertInto('analytics.processed_events')
        .values(events.map((event) => ({ event_id: event.eventId, event_type: event.type, occurred_at: event.occurredAt })))
        .onConflict((oc) => oc.column('event_id').doNothing())
        .returning(['event_type', 'occurred_at']),
    )
    .with('added', (qb) =>
      qb
        .insertInto('analytics.daily_counts')
        .columns(['day', 'event_type', 'count', 'last_event_at'])
        .expression((eb) =>
          eb
            .selectFrom('marked')
            .select((inner) => [
              sql<string>`(occurred_at at time zone 'UTC')::date`.as('day'),
              'event_type',
              sql<number>`count(*)::int`.as('count'),
              inner.fn.max('occurred_at').as('last_event_at'),
            ])
            .groupBy(['day', 'event_type']),
        )
        .onConflict((oc) =>
          oc.columns(['day', 'event_type']).doUpdateSet((eb) => ({
            count: eb('analytics.daily_counts.count', '+', eb.ref('excluded.count')),
            last_event_at: sql<Date>`greatest(${eb.ref('analytics.daily_counts.last_event_at')}, ${eb.ref('excluded.last_event_at')})`,
          })),
        ),
    )
    .selectFrom('marked')
    .select(sql<number>`count(*)::int`.as('counted'))
    .executeTakeFirstOrThrow();
  return counted;
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
