/**
 * The local broker (scripts/kafka/broker.ts) with the pinned Kafka version, driven through the project's kafkajs
 * wrapper (functions/shared/kafka.ts): what the analytics event source mapping relies on.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTopics, startKafkaBroker, type KafkaBrokerHandle } from '../../scripts/kafka/broker.js';
import { Kafka, logLevel } from 'kafkajs';
import { createKafka, type OutgoingMessage } from '../../functions/shared/kafka.js';
import { consumeUntil } from '../support/kafka-consumer.js';

// Not the default 9092, so a developer's `npm run dev` broker can keep running; apart for each TEST_PORT_OFFSET
// (0, 100, 200…: tenths, so no offset lands on another test's broker or controller port).
const port = 19392 + Number(process.env.TEST_PORT_OFFSET ?? 0) / 10;
const topic = 'patient-events';
const patientKeys = ['patient-1', 'patient-2', 'patient-3', 'patient-4', 'patient-5', 'patient-6'];
const eventsPerPatient = 5;
const timeout = 60_000;

describe('local Kafka broker with kafkajs', { timeout: 180_000 }, () => {
  let dataDir = '';
  let broker: KafkaBrokerHandle | undefined;
  const brokers = [`127.0.0.1:${port}`];

  before(async () => {
    dataDir = await mkdtemp(join(process.env.TEST_STACK_DIR ?? tmpdir(), 'kafka-broker-test-'));
    broker = await startKafkaBroker({ dataDir, port });
  });

  after(async () => {
    await broker?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('ensureTopics creates a topic once with its partitions and accepts the same request again', { timeout }, async () => {
    await ensureTopics(brokers, [{ topic, numPartitions: 3 }]);
    await ensureTopics(brokers, [{ topic, numPartitions: 3 }, { topic: 'redelivery', numPartitions: 1 }]);

    assert.deepEqual(await partitionCounts(brokers, [topic, 'redelivery']), { [topic]: 3, redelivery: 1 });
  });

  test('keyed events reach a consumer group in order per key, spread over the 3 partitions', { timeout }, async () => {
    await produce(brokers, topic, patientEvents());

    const records = await consumeUntil(brokers, { groupId: 'analytics', topics: [topic], fromBeginning: true }, (all) =>
      all.length >= patientKeys.length * eventsPerPatient);

    assert.equal(records.length, patientKeys.length * eventsPerPatient);
    for (const key of patientKeys) {
      const ofPatient = records.filter((record) => record.key === key);
      assert.equal(new Set(ofPatient.map((record) => record.partition)).size, 1, `${key} stays on one partition`);
      assert.deepEqual(ofPatient.map((record) => record.value?.toString()), sequence(key));
      assert.equal(ofPatient[0]?.headers['content-type'], 'application/json');
    }
    assert.deepEqual([...new Set(records.map((record) => record.partition))].sort(), [0, 1, 2]);
  });

  test('a group resumes after its committed offsets: only newer events are delivered again', { timeout }, async () => {
    await produce(brokers, topic, [{ key: 'patient-7', value: Buffer.from('patient-7:0') }]);

    const records = await consumeUntil(brokers, { groupId: 'analytics', topics: [topic], fromBeginning: true }, (all) =>
      all.length >= 1);

    assert.deepEqual(records.map((record) => record.value?.toString()), ['patient-7:0']);
  });

  test('a batch whose handler failed is delivered again, and committed only after success', { timeout }, async () => {
    await produce(brokers, 'redelivery', [{ key: 'k', value: Buffer.from('a') }, { key: 'k', value: Buffer.from('b') }]);
    const attempts: string[][] = [];

    await consumeUntil(brokers, { groupId: 'flaky', topics: ['redelivery'], fromBeginning: true }, () =>
      attempts.length >= 2, (batch) => {
      attempts.push(batch.map((record) => record.value?.toString() ?? ''));
      if (attempts.length === 1) throw new Error('simulated Lambda failure');
    });
    // The group's next member, once assigned the partition, starts after the committed offset: a record produced
    // then is the first it sees (one partition, in order), unless 'a' and 'b' were left uncommitted.
    const assignments: Record<string, number[]>[] = [];
    let onJoin = () => {};
    const joined = new Promise<void>((resolve) => (onJoin = resolve));
    const afterSuccess = consumeUntil(brokers, {
      groupId: 'flaky',
      topics: ['redelivery'],
      fromBeginning: true,
      onGroupJoin: (assignment) => (assignments.push(assignment), onJoin()),
    }, (all) => all.some((record) => record.value?.toString() === 'c'));
    await Promise.race([joined, afterSuccess.then(() => assert.fail('the consumer ended without joining the group'))]);
    await produce(brokers, 'redelivery', [{ key: 'k', value: Buffer.from('c') }]);

    assert.deepEqual(attempts.slice(0, 2), [['a', 'b'], ['a', 'b']]);
    assert.deepEqual(assignments[0], { redelivery: [0] });
    assert.deepEqual((await afterSuccess).map((record) => record.value?.toString()), ['c']);
  });

  test('events survive a broker restart on the same data dir; clients fail fast while it is down', { timeout }, async () => {
    await broker?.stop();
    broker = undefined;
    // Fails fast for the right reason: the connection is refused and the client stops after its few retries,
    // rather than waiting on a timeout (which would end as a KafkaJSRequestTimeoutError or a connection timeout).
    await assert.rejects(produce(brokers, topic, [{ key: 'patient-1', value: Buffer.from('lost') }]), (error: Error) => {
      assert.equal(error.name, 'KafkaJSNumberOfRetriesExceeded', error.message);
      assert.equal((error.cause as { code?: string } | undefined)?.code, 'ECONNREFUSED', error.message);
      return true;
    });

    broker = await startKafkaBroker({ dataDir, port });
    const records = await consumeUntil(brokers, { groupId: 'after-restart', topics: [topic], fromBeginning: true },
      (all) => all.length >= patientKeys.length * eventsPerPatient + 1);

    assert.equal(records.length, patientKeys.length * eventsPerPatient + 1);
    assert.deepEqual(records.filter((record) => record.key === 'patient-3').map((r) => r.value?.toString()), sequence('patient-3'));
  });
});

function sequence(key: string): string[] {
  return Array.from({ length: eventsPerPatient }, (_, index) => `${key}:${index}`);
}

/** Interleaved across patients, as the outbox relay would publish them. */
function patientEvents(): OutgoingMessage[] {
  return Array.from({ length: eventsPerPatient }, (_, index) => patientKeys.map((key) => ({
    key,
    value: Buffer.from(`${key}:${index}`),
    headers: { 'content-type': 'application/json' },
  }))).flat();
}

async function produce(brokers: string[], toTopic: string, messages: OutgoingMessage[]): Promise<void> {
  const producer = createKafka(brokers, 'kafka-broker-test', { logLevel: 'nothing' }).producer();
  try {
    await producer.connect();
    await producer.send(toTopic, messages);
  } finally {
    await producer.disconnect();
  }
}

/** How many partitions each topic has, as the broker's metadata says. */
async function partitionCounts(brokers: string[], topics: string[]): Promise<Record<string, number>> {
  const admin = new Kafka({ brokers, clientId: 'kafka-broker-test-admin', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics });
    return Object.fromEntries(metadata.topics.map(({ name, partitions }) => [name, partitions.length]));
  } finally {
    await admin.disconnect();
  }
}
