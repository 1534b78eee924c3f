/**
 * The analytics consumer, triggered by the Kafka topic `patient` (serverless.yml `analyticsConsumer`;
 * locally by scripts/local/kafka-event-source.ts, which builds the same event).
 *
 * Retries and partial failure:
 * - A batch is counted in one statement with the insert of its event ids, so counting is idempotent and a
 *   batch counts all of its events or none.
 * - A record that cannot be decoded (poison) is logged by its coordinates, recorded in
 *   analytics.skipped_records and passed over: retrying it could never succeed.
 * - Any other error (database down, timeout) is thrown. The invocation fails, Lambda does not move the
 *   partition's offset and retries the whole batch; events an earlier delivery counted are recognised by
 *   their id and skipped, so nothing is lost and nothing is counted twice.
 */
import type { Context, SelfManagedKafkaEvent } from 'aws-lambda';
import { db } from '../shared/db.js';
import { logger } from '../shared/logger.js';
import { countPatientEvents, type ConsumeReport } from './analytics.service.js';
import { recordsOf } from './kafka-event.js';

export async function handler(event: SelfManagedKafkaEvent, context?: Pick<Context, 'awsRequestId'>): Promise<ConsumeReport> {
  const log = logger.child({ requestId: context?.awsRequestId, offsets: offsetRanges(event) });
  try {
    const report = await countPatientEvents(db(), recordsOf(event), log);
    log.info(report, 'patient events consumed');
    return report;
  } catch (error) {
    log.error({ err: { type: (error as Error).name, message: (error as Error).message } }, 'patient events batch failed; it will be redelivered');
    throw error;
  }
}

/** The first and last offset of each topic-partition of the batch: which records a log line is about. */
function offsetRanges(event: SelfManagedKafkaEvent): Record<string, [number, number]> {
  const ranges: Record<string, [number, number]> = {};
  for (const [partition, records] of Object.entries(event.records ?? {})) {
    if (records.length > 0) ranges[partition] = [records[0]!.offset, records.at(-1)!.offset];
  }
  return ranges;
}
