/**
 * The local stand-in for AWS Lambda's Kafka event source mapping, which serverless-offline does not run:
 * a consumer group on the topic batches records, builds the same SelfManagedKafkaEvent AWS would, and
 * invokes the function through serverless-offline's Lambda endpoint (so it runs with its serverless.yml
 * configuration). Like AWS, it commits a batch's offsets only after the invocation succeeded, and retries
 * a failed batch (backing off 250 ms → 10 s) until it succeeds, never skipping it.
 *
 *   tsx scripts/local/kafka-event-source.ts   (KAFKA_BROKERS, KAFKA_TOPIC, LAMBDA_ENDPOINT from the environment)
 */
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { SelfManagedKafkaEvent, SelfManagedKafkaRecord } from 'aws-lambda';
import { createKafka, type BatchControl, type BatchHandler, type IncomingRecord, type RecordBatch } from '../../functions/shared/kafka.js';

export interface KafkaEventSourceOptions {
  brokers: string[];
  topic: string;
  groupId: string;
  functionName: string;
  lambdaEndpoint: string;
  /** Most records per invocation, as the mapping's batchSize; default 100. */
  batchSize?: number;
  log?: (msg: string) => void;
  /** Called once the source's consumer has joined its group and been assigned partitions (for tests). */
  onGroupJoin?: (assignment: Record<string, number[]>) => void;
}

export interface KafkaEventSource {
  /** Leaves the group; a batch not yet delivered is not committed and is delivered again on the next start. */
  stop(): Promise<void>;
}

const BATCHING_WINDOW_MS = 500;
/** A little under what a patient event takes in a fetch response (measured: 170–180 bytes), so a batch's worth fills a fetch. */
const RECORD_BYTES = 160;
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 10_000;

/** The event AWS Lambda gives a function triggered by self-managed Kafka (records grouped by "topic-partition"). */
export function buildSelfManagedKafkaEvent(bootstrapServers: string[], records: IncomingRecord[]): SelfManagedKafkaEvent {
  const grouped: Record<string, SelfManagedKafkaRecord[]> = {};
  for (const record of records) {
    (grouped[`${record.topic}-${record.partition}`] ??= []).push({
      topic: record.topic,
      partition: record.partition,
      offset: Number(record.offset),
      timestamp: Number(record.timestamp),
      timestampType: 'CREATE_TIME',
      key: record.key === null ? '' : Buffer.from(record.key, 'utf8').toString('base64'),
      value: record.value === null ? '' : record.value.toString('base64'),
      // AWS gives each header as its own object, mapping the name to the value's bytes.
      headers: Object.entries(record.headers).map(([name, value]) => ({ [name]: [...Buffer.from(value, 'utf8')] })),
    });
  }
  return { eventSource: 'SelfManagedKafka', bootstrapServers: bootstrapServers.join(','), records: grouped };
}

/** Exponential backoff for the nth retry (0-based), capped. */
export function retryDelayMs(attempt: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt);
}

export class StoppedError extends Error {
  constructor() {
    super('the event source is stopping; the batch is left uncommitted and will be delivered again');
    this.name = 'StoppedError';
  }
}

/** What turning fetched records into invocations needs from the world: the parts a unit test replaces. */
export interface InvocationPlan {
  bootstrapServers: string[];
  functionName: string;
  /** Most records per invocation. */
  batchSize: number;
  /** Invokes the function once; throws when the invocation failed. */
  invoke(event: SelfManagedKafkaEvent): Promise<void>;
  /** Waits out a retry's backoff; throws StoppedError when the source stops meanwhile. */
  wait(ms: number, control: BatchControl): Promise<void>;
  isStopping(): boolean;
  log(msg: string): void;
}

/**
 * kafkajs hands over one partition's fetched records at a time, in offset order; the consumer commits the
 * offset after the returned handler resolves, and not at all when it throws (the batch is then delivered again).
 * The records go out in invocations of at most `batchSize`, in order, each retried until it succeeds: the
 * handler resolves only once every record of the fetch was delivered.
 */
export function invocationsOfBatches(plan: InvocationPlan): BatchHandler {
  async function deliver(records: IncomingRecord[], control: BatchControl): Promise<void> {
    const event = buildSelfManagedKafkaEvent(plan.bootstrapServers, records);
    const first = records[0]!;
    const where = `${first.topic}-${first.partition} offsets ${first.offset}..${records.at(-1)!.offset}`;
    for (let attempt = 0; ; attempt += 1) {
      if (plan.isStopping() || !control.isRunning()) throw new StoppedError();
      try {
        await plan.invoke(event);
        plan.log(`delivered ${records.length} record(s) of ${where} to ${plan.functionName}`);
        return;
      } catch (error) {
        if (plan.isStopping()) throw new StoppedError();
        const wait = retryDelayMs(attempt);
        plan.log(`invoking ${plan.functionName} for ${where} failed (${(error as Error).message}); retrying in ${wait} ms`);
        await plan.wait(wait, control);
      }
    }
  }

  return async (batch: RecordBatch, control: BatchControl) => {
    for (let start = 0; start < batch.records.length; start += plan.batchSize) {
      await deliver(batch.records.slice(start, start + plan.batchSize), control);
    }
  };
}

export async function startKafkaEventSource(options: KafkaEventSourceOptions): Promise<KafkaEventSource> {
  const log = options.log ?? ((msg: string) => console.log(`[kafka-event-source] ${msg}`));
  const batchSize = options.batchSize ?? 100;
  const lambda = new LambdaClient({
    endpoint: options.lambdaEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, // serverless-offline ignores them
    maxAttempts: 1, // retries are ours, with backoff, below
  });
  const stopping = new AbortController();
  const consumer = createKafka(options.brokers, `${options.groupId}-event-source`, { logLevel: 'nothing' }).consumer({
    groupId: options.groupId,
    topics: [options.topic],
    fromBeginning: true, // like startingPosition TRIM_HORIZON
    maxWaitTimeMs: BATCHING_WINDOW_MS,
    // As the mapping's batching window: the broker holds a fetch until it has about a batch or the window
    // has passed, so a busy topic is delivered in full batches, not in an invocation per few records.
    minBytes: batchSize * RECORD_BYTES,
    ...(options.onGroupJoin ? { onGroupJoin: options.onGroupJoin } : {}),
  });

  /** Throws when the invocation failed: an error response (FunctionError) or no response at all. */
  async function invoke(event: SelfManagedKafkaEvent): Promise<void> {
    const response = await lambda.send(
      new InvokeCommand({ FunctionName: options.functionName, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(event)) }),
      { abortSignal: stopping.signal },
    );
    if (response.FunctionError) {
      const payload = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
      let message = payload;
      try {
        const parsed = JSON.parse(payload) as { errorType?: string; errorMessage?: string };
        message = `${parsed.errorType ?? 'Error'}: ${parsed.errorMessage ?? ''}`;
      } catch {
        // not JSON: keep the raw text
      }
      throw new Error(`${response.FunctionError} ${message}`.slice(0, 500));
    }
  }

  async function sleep(ms: number, control: BatchControl): Promise<void> {
    // In slices, heartbeating, so a long backoff does not cost the group membership.
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (stopping.signal.aborted || !control.isRunning()) throw new StoppedError();
      await delay(Math.min(1000, until - Date.now()), undefined, { signal: stopping.signal }).catch(() => {
        throw new StoppedError();
      });
      await control.heartbeat();
    }
  }

  await consumer.connect();
  await consumer.run(invocationsOfBatches({
    bootstrapServers: options.brokers,
    functionName: options.functionName,
    batchSize,
    invoke,
    wait: sleep,
    isStopping: () => stopping.signal.aborted,
    log,
  }));
  log(`consuming ${options.topic} as group ${options.groupId} → ${options.functionName} at ${options.lambdaEndpoint}`);
  return {
    stop: async () => {
      stopping.abort();
      await consumer.disconnect();
      lambda.destroy();
    },
  };
}

async function main(): Promise<void> {
  const { config } = await import('../../functions/shared/config.js');
  const stage = process.env.STAGE ?? 'local';
  const source = await startKafkaEventSource({
    brokers: config.kafka.brokers,
    topic: config.kafka.topic,
    groupId: process.env.KAFKA_GROUP_ID ?? 'patient-analytics',
    functionName: process.env.ANALYTICS_FUNCTION ?? `${config.serviceName}-${stage}-analyticsConsumer`,
    lambdaEndpoint: process.env.LAMBDA_ENDPOINT || 'http://localhost:3002',
  });
  await new Promise<void>((done) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => done());
  });
  await source.stop();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
