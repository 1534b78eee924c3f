import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingRecord } from '../shared/kafka.js';
import { buildSelfManagedKafkaEvent, retryDelayMs } from '../../scripts/local/kafka-event-source.js';
import { recordsOf } from './kafka-event.js';

const record = (partition: number, offset: string, value: string): IncomingRecord => ({
  topic: 'patient',
  partition,
  offset,
  key: `patient-id-${offset}`,
  value: Buffer.from(value),
  headers: { 'event-id': 'e-1' },
  timestamp: '1795511700400',
});

describe('the local Kafka event source', () => {
  test('builds the SelfManagedKafkaEvent AWS gives the function', () => {
    const event = buildSelfManagedKafkaEvent(['localhost:9092', 'localhost:9094'], [record(3, '7', 'hi')]);

    assert.deepEqual(event, {
      eventSource: 'SelfManagedKafka',
      bootstrapServers: 'localhost:9092,localhost:9094',
      records: {
        'patient-3': [
          {
            topic: 'patient',
            partition: 3,
            offset: 7,
            timestamp: 1795511700400,
            timestampType: 'CREATE_TIME',
            key: Buffer.from('patient-id-7').toString('base64'),
            value: Buffer.from('hi').toString('base64'),
            headers: [{ 'event-id': [101, 45, 49] }],
          },
        ],
      },
    });
  });

  test('groups records by topic-partition, keeping their order', () => {
    const event = buildSelfManagedKafkaEvent(['b:9092'], [record(0, '1', 'a'), record(1, '5', 'b'), record(0, '2', 'c')]);

    assert.deepEqual(Object.keys(event.records), ['patient-0', 'patient-1']);
    assert.deepEqual(event.records['patient-0']!.map((r) => r.offset), [1, 2]);
  });

  test('builds an event the analytics function reads back into the same records', () => {
    const records = [record(0, '1', 'a'), record(0, '2', 'b')];

    const read = recordsOf(buildSelfManagedKafkaEvent(['b:9092'], records));

    assert.deepEqual(
      read.map((r) => ({ ...r, value: Buffer.from(r.value!).toString() })),
      [
        { topic: 'patient', partition: 0, offset: '1', value: 'a' },
        { topic: 'patient', partition: 0, offset: '2', value: 'b' },
      ],
    );
  });

  test('backs off exponentially from 250 ms, capped at 10 s', () => {
    assert.deepEqual([0, 1, 2, 3, 5, 6, 20].map(retryDelayMs), [250, 500, 1000, 2000, 8000, 10_000, 10_000]);
  });
});
