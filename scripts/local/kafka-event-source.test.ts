import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SelfManagedKafkaEvent } from 'aws-lambda';
import type { BatchControl, IncomingRecord } from '../../functions/shared/kafka.js';
import { StoppedError, buildSelfManagedKafkaEvent, invocationsOfBatches, retryDelayMs, type InvocationPlan } from './kafka-event-source.js';

function records(count: number, { topic = 'patient', partition = 0, firstOffset = 0 } = {}): IncomingRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    topic,
    partition,
    offset: String(firstOffset + i),
    key: `patient-${i}`,
    value: Buffer.from(`event ${i}`),
    headers: { 'event-id': `e-${i}` },
    timestamp: '1700000000000',
  }));
}

const running: BatchControl = { heartbeat: async () => {}, isRunning: () => true };

/** The offsets of each invocation's records, in the order the function received them. */
const offsetsOf = (event: SelfManagedKafkaEvent) => Object.values(event.records).flat().map((record) => record.offset);

/** A plan whose function answers from `outcomes` (true = succeeded), then succeeds; waits are recorded, not slept. */
function fakePlan(outcomes: boolean[] = [], overrides: Partial<InvocationPlan> = {}) {
  const invocations: number[][] = [];
  const waits: number[] = [];
  const plan: InvocationPlan = {
    bootstrapServers: ['broker:9092'],
    functionName: 'analyticsConsumer',
    batchSize: 100,
    invoke: async (event) => {
      invocations.push(offsetsOf(event));
      if (outcomes[invocations.length - 1] === false) throw new Error('function failed');
    },
    wait: async (ms) => {
      waits.push(ms);
    },
    isStopping: () => false,
    log: () => {},
    ...overrides,
  };
  return { plan, invocations, waits };
}

describe('the local Kafka event source', () => {
  test('splits a fetch into invocations of at most the batch size, in offset order', async () => {
    const { plan, invocations } = fakePlan();

    await invocationsOfBatches(plan)({ topic: 'patient', partition: 2, records: records(250, { partition: 2, firstOffset: 1000 }) }, running);

    assert.deepEqual(invocations.map((offsets) => offsets.length), [100, 100, 50]);
    assert.deepEqual(invocations.flat(), Array.from({ length: 250 }, (_, i) => 1000 + i));
  });

  test('retries a failed invocation with the same records, backing off, and finishes the fetch only after it succeeded', async () => {
    const { plan, invocations, waits } = fakePlan([true, false, false, true]);

    await invocationsOfBatches(plan)({ topic: 'patient', partition: 0, records: records(150) }, running);

    assert.deepEqual(invocations.map((offsets) => [offsets[0], offsets.at(-1)]), [[0, 99], [100, 149], [100, 149], [100, 149]]);
    assert.deepEqual(waits, [250, 500]);
  });

  test('a source stopping while it retries gives the fetch up, so its offsets are not committed', async () => {
    let stopping = false;
    const { plan, invocations } = fakePlan([false], { wait: async () => void (stopping = true), isStopping: () => stopping });

    await assert.rejects(invocationsOfBatches(plan)({ topic: 'patient', partition: 0, records: records(3) }, running), StoppedError);

    assert.equal(invocations.length, 1);
  });

  test('a consumer that left its group delivers nothing more of the fetch', async () => {
    const { plan, invocations } = fakePlan();
    const leftGroup: BatchControl = { heartbeat: async () => {}, isRunning: () => false };

    await assert.rejects(invocationsOfBatches(plan)({ topic: 'patient', partition: 0, records: records(3) }, leftGroup), StoppedError);

    assert.deepEqual(invocations, []);
  });

  test('backs off 250 ms, doubling, up to 10 s', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 10].map(retryDelayMs), [250, 500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  test('builds the event AWS gives the function: records by topic-partition, offsets as numbers, bytes as base64', () => {
    const [first, second] = records(2);
    const other = { ...records(1, { partition: 1, firstOffset: 7 })[0]!, key: null, value: null, headers: {} };

    const event = buildSelfManagedKafkaEvent(['a:9092', 'b:9092'], [first!, other, second!]);

    assert.equal(event.eventSource, 'SelfManagedKafka');
    assert.equal(event.bootstrapServers, 'a:9092,b:9092');
    assert.deepEqual(Object.keys(event.records), ['patient-0', 'patient-1']);
    assert.deepEqual(event.records['patient-0']!.map((r) => r.offset), [0, 1]);
    assert.deepEqual(event.records['patient-0']![0], {
      topic: 'patient',
      partition: 0,
      offset: 0,
      timestamp: 1700000000000,
      timestampType: 'CREATE_TIME',
      key: Buffer.from('patient-0').toString('base64'),
      value: Buffer.from('event 0').toString('base64'),
      headers: [{ 'event-id': [...Buffer.from('e-0')] }],
    });
    assert.deepEqual([event.records['patient-1']![0]!.key, event.records['patient-1']![0]!.value], ['', '']);
  });
});
