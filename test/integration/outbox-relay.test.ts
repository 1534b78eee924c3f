/**
 * The outbox relay's bookkeeping against real PostgreSQL and the stack's real Kafka broker (KAFKA_BROKERS, a topic
 * of this file's own): commit order, no second delivery, an ordered destination waiting behind its oldest message,
 * one relay per destination at a time, and pruning. Billing as a destination: outbox-relay-billing.test.ts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../functions/shared/db.schema.js';
import { ensureTopics } from '../../scripts/kafka/broker.js';
import { createMigratedTestDatabase } from '../support/database.js';
import { consumeUntil } from '../support/kafka-consumer.js';

// The relay's configuration is read once, when its modules load: publish to a topic no one else reads. (Nothing
// imported above may load functions/shared/config.ts, or the relay would publish to the stack's topic `patient`.)
const topic = `outbox-relay-${randomUUID()}`;
process.env.KAFKA_TOPIC = topic;
const stackBrokers = () => (process.env.KAFKA_BROKERS ?? '').split(',');
const { deleteDeliveredBefore, enqueue } = await import('../../functions/outbox/outbox.repository.js');
const { relayOutbox } = await import('../../functions/outbox/outbox-relay.js');
const { closeKafkaProducer, kafkaPublisher } = await import('../../functions/outbox/publishers.js');
const { logger } = await import('../../functions/shared/logger.js');
const { config } = await import('../../functions/shared/config.js');
assert.equal(config.kafka.topic, topic, 'the relay publishes to this file\'s topic');

const log = logger.child({ test: 'outbox-relay' });
log.level = 'silent';

let db: Kysely<Database>;
let url: string;
let close: () => Promise<void>;

before(async () => {
  ({ db, url, close } = await createMigratedTestDatabase('outbox', 4));
  await ensureTopics(stackBrokers(), [{ topic, numPartitions: 1 }]);
});
after(async () => {
  await closeKafkaProducer();
  await close?.();
});
beforeEach(async () => {
  await sql`truncate outbox`.execute(db);
});

async function enqueueEvents(count: number, aggregateId = randomUUID()): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  for (const eventId of ids) await enqueue(db, [{ eventId, destination: 'kafka', aggregateId, payload: Buffer.from(eventId) }]);
  return ids;
}

/**
 * The event ids the topic holds among `expected`, in topic order, once it holds all of them. Read from the start by
 * a fresh group, and on to a marker produced after them, so a duplicate behind the last expected one is seen too.
 */
async function onTopic(expected: string[]): Promise<string[]> {
  const marker = randomUUID();
  await kafkaPublisher.deliver([{ id: 0, event_id: marker, destination: 'kafka', aggregate_id: marker, payload: Buffer.from(marker), created_at: new Date(), attempts: 0, next_attempt_at: new Date(), last_error: null, published_at: null }], Infinity);
  const wanted = new Set(expected);
  const records = await consumeUntil(stackBrokers(), { groupId: `check-${randomUUID()}`, topics: [topic], fromBeginning: true },
    (all) => all.some((record) => record.headers['event-id'] === marker));
  return records.map((record) => record.headers['event-id']!).filter((id) => wanted.has(id));
}

const pending = async () => Number((await sql<{ n: string }>`select count(*) as n from outbox where published_at is null`.execute(db)).rows[0]?.n);

describe('the outbox relay with Kafka', { timeout: 120_000 }, () => {
  test('delivers pending messages in commit order and marks them published', async () => {
    const ids = await enqueueEvents(250);

    const [report] = await relayOutbox(db, [kafkaPublisher], log);

    assert.equal(report?.published, 250);
    assert.equal(await pending(), 0);
    assert.deepEqual(await onTopic(ids), ids);
  });

  test('a delivered message is not delivered again by the next run', async () => {
    const ids = await enqueueEvents(3);
    await relayOutbox(db, [kafkaPublisher], log);

    const [again] = await relayOutbox(db, [kafkaPublisher], log);

    assert.equal(again?.published, 0);
    assert.deepEqual(await onTopic(ids), ids);
  });

  test('while its oldest message backs off, nothing newer goes out; once it is due, all go out in order', async () => {
    // The state a failed delivery leaves (outbox-relay-billing.test.ts shows the relay setting it): backing off.
    const failed = await enqueueEvents(3);
    await sql`update outbox set attempts = 1, last_error = 'KafkaJSConnectionError', next_attempt_at = now() + interval '1 minute'`.execute(db);
    const later = await enqueueEvents(1);

    const [waiting] = await relayOutbox(db, [kafkaPublisher], log);
    assert.deepEqual([waiting?.published, waiting?.skipped], [0, 'backing-off']);
    assert.equal(await pending(), 4);

    await sql`update outbox set next_attempt_at = now()`.execute(db);
    const [recovered] = await relayOutbox(db, [kafkaPublisher], log);
    assert.equal(recovered?.published, 4);
    assert.deepEqual(await onTopic([...failed, ...later]), [...failed, ...later]);
  });

  test('two relays at once never deliver the same message twice', async () => {
    const ids = await enqueueEvents(40);

    const [a, b] = await Promise.all([relayOutbox(db, [kafkaPublisher], log), relayOutbox(db, [kafkaPublisher], log)]);

    assert.equal((a[0]?.published ?? 0) + (b[0]?.published ?? 0), 40);
    assert.deepEqual(await onTopic(ids), ids);
  });

  test('messages delivered more than the retention period ago are pruned; pending ones never are', async () => {
    await enqueueEvents(3);
    await sql`update outbox set published_at = now() - interval '8 days' where id = (select min(id) from outbox)`.execute(db);
    await sql`update outbox set published_at = now() - interval '1 day' where id = (select max(id) from outbox)`.execute(db);
    assert.equal(await deleteDeliveredBefore(db, 7), 1);
    assert.equal(Number((await sql<{ n: string }>`select count(*) as n from outbox`.execute(db)).rows[0]?.n), 2);
  });

  test('the scheduled sweep prunes delivered messages, a kick after a patient change does not', async () => {
    await enqueueEvents(1);
    await sql`update outbox set published_at = now() - interval '8 days'`.execute(db);
    process.env.DATABASE_URL = url;
    const { handler } = await import('../../functions/outbox/relay.js');
    const { KICK } = await import('../../functions/outbox/relay-trigger.js');
    const { closeDb } = await import('../../functions/shared/db.js');
    try {
      assert.equal((await handler({ ...KICK })).pruned, 0);
      assert.equal((await handler({})).pruned, 1);
    } finally {
      await closeDb();
    }
  });
});
