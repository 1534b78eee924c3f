/** Reads the records out of the event AWS Lambda's Kafka event source mapping delivers. */
import type { SelfManagedKafkaEvent } from 'aws-lambda';
import type { PatientEventRecord } from './analytics.service.js';

/** The records of every topic-partition, each partition's records in offset order. */
export function recordsOf(event: SelfManagedKafkaEvent): PatientEventRecord[] {
  return Object.values(event.records ?? {}).flatMap((records) =>
    [...records]
      .sort((a, b) => a.offset - b.offset)
      .map((record) => ({
        topic: record.topic,
        partition: record.partition,
        offset: String(record.offset),
        // AWS leaves `value` out for a record with a null value (a tombstone).
        value: record.value ? Buffer.from(record.value, 'base64') : null,
      })),
  );
}
