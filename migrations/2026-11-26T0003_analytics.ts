import { type Kysely, sql } from 'kysely';

// Analytics keeps its own tables in its own schema, filled only from the `patient` Kafka topic.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations describe the schema of their time
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createSchema('analytics').execute();
  const analytics = db.schema.withSchema('analytics');

  // The idempotency record: an event id is inserted in the same transaction as its count.
  await analytics
    .createTable('processed_events')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('event_type', 'text', (c) => c.notNull().check(sql`event_type in ('created', 'updated', 'deleted')`))
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('processed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Counts per UTC day of the event and type; the totals are sums over a few rows per day.
  await analytics
    .createTable('daily_counts')
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull().check(sql`event_type in ('created', 'updated', 'deleted')`))
    .addColumn('count', 'bigint', (c) => c.notNull().check(sql`count >= 0`))
    .addColumn('last_event_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('daily_counts_pkey', ['day', 'event_type'])
    .execute();

  // Records that could not be counted (poison), kept by their Kafka coordinates for inspection.
  await analytics
    .createTable('skipped_records')
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('kafka_partition', 'integer', (c) => c.notNull())
    .addColumn('kafka_offset', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('skipped_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('skipped_records_pkey', ['topic', 'kafka_partition', 'kafka_offset'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropSchema('analytics').cascade().execute();
}
