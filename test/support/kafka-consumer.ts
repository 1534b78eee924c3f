/** A group consumer run until a condition holds, for tests that check what reached a topic. */
import { createKafka, type GroupConsumerOptions, type IncomingRecord } from '../../functions/shared/kafka.js';

/** Runs a group consumer until `done` holds (or `maxWaitMs` passes), returning the records it processed. */
export async function consumeUntil(
  brokers: string[],
  options: GroupConsumerOptions,
  done: (records: IncomingRecord[]) => boolean,
  handle: (records: IncomingRecord[]) => void = () => {},
  maxWaitMs = 30_000,
): Promise<IncomingRecord[]> {
  const consumer = createKafka(brokers, 'kafka-test-consumer', { logLevel: 'nothing' }).consumer(options);
  const processed: IncomingRecord[] = [];
  await consumer.connect();
  try {
    await consumer.run(async (batch) => {
      handle(batch.records);
      processed.push(...batch.records);
    });
    const deadline = Date.now() + maxWaitMs;
    while (!done(processed) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    return processed;
  } finally {
    await consumer.disconnect();
  }
}
