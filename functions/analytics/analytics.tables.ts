/**
 * Analytics' own tables, in the schema `analytics`. They are filled only from the `patient` Kafka topic;
 * analytics never reads the patients table.
 */
import type { ColumnType } from 'kysely';

export const COUNTED_EVENT_TYPES = ['created', 'updated', 'deleted', 'merged', 'unmerged'] as const;
export type CountedEventType = (typeof COUNTED_EVENT_TYPES)[number];

/** One row per event already counted: the idempotency record, written in the same transaction as the count. */
export interface ProcessedEventTable {
  event_id: string;
  event_type: CountedEventType;
  occurred_at: Date;
  processed_at: ColumnType<Date, never, never>;
}

/** Events counted per UTC day (of `occurred_at`) and type; totals are sums over the days. */
export interface DailyCountTable {
  /** 'YYYY-MM-DD' */
  day: string;
  event_type: CountedEventType;
  count: number;
  last_event_at: Date;
}

/** Records that cannot be counted (undecodable or invalid), kept by their Kafka coordinates instead of retried. */
export interface SkippedRecordTable {
  topic: string;
  kafka_partition: number;
  /** Inserted as a decimal string (Kafka offsets are 64-bit); read back as a number by db.ts. */
  kafka_offset: ColumnType<number, string, never>;
  reason: string;
  skipped_at: ColumnType<Date, never, never>;
}

export interface AnalyticsTables {
  'analytics.processed_events': ProcessedEventTable;
  'analytics.daily_counts': DailyCountTable;
  'analytics.skipped_records': SkippedRecordTable;
}
