/**
 * The local Kafka event source (scripts/local/kafka-event-source.ts) against the stack's real broker: a busy topic
 * is gathered into few, full invocations (the broker holds a fetch until about a batch is there or 500 ms passed),
 * not one per few records. The function it invokes is a recorder behind the Lambda Invoke API on a local port:
 * what is under test is the consumer's fetching and batching, not a function.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { SelfManagedKafkaEvent } from 'aws-lambda';
import { createKafka } from '../../functions/shared/kafka.js';
import { ensureTopics } from '../../scripts/kafka/broker.js';
import { startKafkaEventSource, type KafkaEventSource } from '../../scripts/local/kafka-event-source.js';
import { eventually } from '../support/api.js';
import { stackBrokers } from '../support/kafka.js';

const RECORDS = 500;
const BATCH_SIZE = 100;
const topic = `batching-${randomUUID()}`;

/** The offsets of each invocation, as the recorder received them. */
const invocations: number[][] = [];
let lambda: Server;
let source: KafkaEventSource | undefined;

before(async () => {
  lambda = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const event = JSON.parse(body) as SelfManagedKafkaEvent;
      invocations.push(Object.values(event.records).flat().map((record) => record.offset));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => lambda.listen(0, '127.0.0.1', resolve));
  await ensureTopics(stackBrokers(), [{ topic, numPartitions: 1 }]);
});

after(async () => {
  await source?.stop();
  await new Promise((resolve) => lambda.close(resolve));
});

describe('the local Kafka event source on a busy topic', () => {
  test('gathers records produced in quick succession into few invocations of about a batch each', { timeout: 120_000 }, async () => {
    let joined = () => {};
    const assigned = new Promise<void>((resolve) => (joined = resolve));
    source = await startKafkaEventSource({
      brokers: stackBrokers(),
      topic,
      groupId: `batching-${randomUUID()}`,
      functionName: 'recorder',
      lambdaEndpoint: `http://127.0.0.1:${(lambda.address() as AddressInfo).port}`,
      batchSize: BATCH_SIZE,
      log: () => {},
      onGroupJoin: () => joined(),
    });
    await assigned;

    // Produced while the source is already waiting on the topic, five records a send, each the size of a patient event.
    const producer = createKafka(stackBrokers(), 'batching-test', { logLevel: 'nothing' }).producer();
    await producer.connect();
    try {
      for (let sent = 0; sent < RECORDS; sent += 5) {
        await producer.send(topic, Array.from({ length: 5 }, () => ({ key: randomUUID(), value: Buffer.alloc(110, 'x'), headers: { 'event-id': randomUUID() } })));
      }
    } finally {
      await producer.disconnect();
    }
    await eventually(async () => (invocations.flat().length >= RECORDS ? true : undefined), 60_000, 100);

    assert.deepEqual(invocations.flat(), Array.from({ length: RECORDS }, (_, offset) => offset), 'every record once, in order');
    assert.ok(Math.max(...invocations.map((offsets) => offsets.length)) <= BATCH_SIZE);
    // Without the batching window a fetch is answered as soon as any record is there: about one invocation a send (100).
    assert.ok(invocations.length <= RECORDS / BATCH_SIZE * 3, `${invocations.length} invocations of ${invocations.map((o) => o.length).join(', ')} records`);
  });
});
