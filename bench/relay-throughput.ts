/**
 * Events per second out of the outbox: the relay (functions/outbox/outbox-relay.ts with the Kafka publisher)
 * draining N pending rows, beside kafkajs producing the same N messages straight to the topic with the same
 * producer settings (functions/shared/kafka.ts) in the same batch sizes. The gap is what the outbox costs:
 * per batch a transaction, an advisory lock, a select and an update.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { relayOutbox } from '../functions/outbox/outbox-relay.js';
import { enqueue, pendingCount } from '../functions/outbox/outbox.repository.js';
import type { OutboxMessage } from '../functions/outbox/outbox.table.js';
import { kafkaPublisher } from '../functions/outbox/publishers.js';
import { patientEventMessage } from '../functions/patients/patient-messages.js';
import { config } from '../functions/shared/config.js';
import type { Database } from '../functions/shared/db.schema.js';
import { createKafka } from '../functions/shared/kafka.js';
import { logger } from '../functions/shared/logger.js';

export interface ThroughputOptions {
  db: Kysely<Database>;
  events: number;
  /** Messages per relay batch and per raw send: the relay's own default. */
  batchSize: number;
  /** Warm-up messages (connection, metadata, JIT) sent before each timed run. */
  warmup: number;
  /** How long to wait for the analytics consumer to count a run's events before the next run. */
  settleTimeoutMs: number;
}

/** One timed run of one path. */
export interface ThroughputRun {
  path: string;
  events: number;
  batchSize: number;
  seconds: number;
  eventsPerSecond: number;
  /** Seconds from the start of the run until analytics had counted every event of it (undefined: timed out). */
  countedAfterSeconds?: number;
}

/** N `created` events for N fresh patients: real PatientEvent payloads of the size the API produces. */
function patientEvents(count: number): OutboxMessage[] {
  return Array.from({ length: count }, () => patientEventMessage('created', { id: randomUUID(), version: 1 }));
}

async function pendingKafka(db: Kysely<Database>): Promise<number> {
  return (await pendingCount(db)).find((row) => row.destination === 'kafka')?.pending ?? 0;
}

async function waitUntilNoKafkaPending(db: Kysely<Database>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await pendingKafka(db)) > 0) {
    if (Date.now() > deadline) throw new Error('the outbox still has pending Kafka rows; is a relay failing?');
    await delay(100);
  }
}

async function enqueueAll(db: Kysely<Database>, messages: OutboxMessage[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (let start = 0; start < messages.length; start += 500) await enqueue(trx, messages.slice(start, start + 500));
  });
}

/** Runs the relay until no Kafka row is pending; the stack's sweep may take a turn (advisory lock) and that is fine. */
async function drainWithRelay(db: Kysely<Database>, batchSize: number): Promise<void> {
  for (;;) {
    const [report] = await relayOutbox(db, [{ ...kafkaPublisher, batchSize }], logger, { maxBatches: 1_000 });
    if (report?.failed) throw new Error(`the relay failed to publish ${report.failed} row(s) to Kafka`);
    if (report?.skipped !== 'locked' && (await pendingKafka(db)) === 0) return;
    if (report?.skipped === 'locked') await delay(10);
  }
}

/** Seconds from `since` until every one of `eventIds` is in analytics.processed_events, by its processed_at. */
async function countedAfter(db: Kysely<Database>, eventIds: string[], since: Date, timeoutMs: number): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await sql<{ counted: number; last: Date | null }>`
      select count(*)::int as counted, max(processed_at) as last from analytics.processed_events where event_id = any(${eventIds})`.execute(db);
    const [{ counted, last } = { counted: 0, last: null }] = rows;
    if (counted >= eventIds.length && last) return (last.getTime() - since.getTime()) / 1_000;
    await delay(250);
  }
  return undefined;
}

async function benchmarkRelay(options: ThroughputOptions): Promise<ThroughputRun> {
  const { db, batchSize } = options;
  await waitUntilNoKafkaPending(db, options.settleTimeoutMs);
  await enqueueAll(db, patientEvents(options.warmup));
  await drainWithRelay(db, batchSize);

  const messages = patientEvents(options.events);
  await enqueueAll(db, messages);
  const startedAt = new Date();
  const started = performance.now();
  await drainWithRelay(db, batchSize);
  const seconds = (performance.now() - started) / 1_000;
  const countedAfterSeconds = await countedAfter(db, messages.map((m) => m.eventId), startedAt, options.settleTimeoutMs);
  return { path: 'outbox relay → Kafka', events: options.events, batchSize, seconds, eventsPerSecond: options.events / seconds, countedAfterSeconds };
}

async function benchmarkRawProduce(options: ThroughputOptions): Promise<ThroughputRun> {
  const { batchSize } = options;
  const producer = createKafka(config.kafka.brokers, `${config.serviceName}-bench-raw`).producer();
  await producer.connect();
  const send = async (messages: OutboxMessage[]) => {
    for (let start = 0; start < messages.length; start += batchSize) {
      const batch = messages.slice(start, start + batchSize);
      // The same records the Kafka publisher builds from an outbox row.
      await producer.send(
        config.kafka.topic,
        batch.map((m) => ({ key: m.aggregateId, value: Buffer.from(m.payload), headers: { 'event-id': m.eventId } })),
      );
    }
  };
  try {
    await send(patientEvents(options.warmup));
    const messages = patientEvents(options.events);
    const startedAt = new Date();
    const started = performance.now();
    await send(messages);
    const seconds = (performance.now() - started) / 1_000;
    const countedAfterSeconds = await countedAfter(options.db, messages.map((m) => m.eventId), startedAt, options.settleTimeoutMs);
    return { path: 'kafkajs produce (no outbox)', events: options.events, batchSize, seconds, eventsPerSecond: options.events / seconds, countedAfterSeconds };
  } finally {
    await producer.disconnect();
  }
}

export interface ThroughputResult {
  path: string;
  events: number;
  batchSize: number;
  rounds: number;
  /** Median, slowest and fastest round. */
  eventsPerSecond: { median: number; min: number; max: number };
  /** Median over the rounds; undefined when analytics did not catch up in some round. */
  countedAfterSeconds?: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

function summarizeRuns(runs: ThroughputRun[]): ThroughputResult {
  const [first] = runs;
  if (!first) throw new Error('no runs to summarize');
  const rates = runs.map((run) => run.eventsPerSecond);
  const counted = runs.map((run) => run.countedAfterSeconds);
  return {
    path: first.path,
    events: first.events,
    batchSize: first.batchSize,
    rounds: runs.length,
    eventsPerSecond: { median: median(rates), min: Math.min(...rates), max: Math.max(...rates) },
    countedAfterSeconds: counted.every((c) => c !== undefined) ? median(counted as number[]) : undefined,
  };
}

/**
 * Alternates the relay and the raw producer for `rounds` rounds, so load from elsewhere on the machine
 * falls on both alike; each round waits for analytics to count its events before the next one starts.
 */
export async function benchmarkThroughput(options: ThroughputOptions, rounds: number, log: (line: string) => void): Promise<ThroughputResult[]> {
  const relayRuns: ThroughputRun[] = [];
  const rawRuns: ThroughputRun[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    relayRuns.push(await benchmarkRelay(options));
    rawRuns.push(await benchmarkRawProduce(options));
    log(`  round ${round}/${rounds}: relay ${relayRuns.at(-1)?.eventsPerSecond.toFixed(0)} events/s, kafkajs ${rawRuns.at(-1)?.eventsPerSecond.toFixed(0)} events/s`);
  }
  return [summarizeRuns(relayRuns), summarizeRuns(rawRuns)];
}
