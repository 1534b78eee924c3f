/**
 * The one place that talks to kafkajs. Callers see only the small types below, so the client library
 * can be swapped (kafkajs 2.2.4 is no longer maintained) without touching them.
 */
import { Kafka, Partitioners, logLevel, type Consumer, type EachBatchPayload, type IHeaders } from 'kafkajs';

export interface KafkaClientOptions {
  /** Time to open a TCP connection. Small, so a Lambda fails fast when the broker is down. */
  connectionTimeoutMs?: number;
  /** Time for one request (produce, fetch, metadata…) to be answered. */
  requestTimeoutMs?: number;
  /** Retries of a failed request (and, for consumers, of a failed batch) before giving up. */
  retries?: number;
  /** 'error' prints kafkajs's own error lines; 'nothing' silences it (readiness probes expect failures). */
  logLevel?: 'error' | 'nothing';
  /** TLS to the brokers: true trusts Node's CA store; `ca` (PEM) trusts that certificate authority instead. */
  tls?: boolean | { ca: string };
  /** SASL/SCRAM-SHA-512 sign-in: what the deployed Kafka asks of its clients (serverless.yml). */
  scram?: ScramCredentials;
}

export interface ScramCredentials {
  username: string;
  password: string;
}

export interface OutgoingMessage {
  key: string;
  value: Buffer;
  headers?: Record<string, string>;
}

export interface IncomingRecord {
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit: kept as a decimal string. */
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Milliseconds since the epoch, as a decimal string. */
  timestamp: string;
}

/** Records of one topic-partition, in offset order. */
export interface RecordBatch {
  topic: string;
  partition: number;
  records: IncomingRecord[];
}

export interface BatchControl {
  /** Keeps group membership alive during a long handler (a session lasts sessionTimeoutMs). */
  heartbeat(): Promise<void>;
  /** False once disconnect() was called: a handler may stop early; its batch is then redelivered. */
  isRunning(): boolean;
}

/** Resolves when the batch is fully processed; throwing leaves the offset uncommitted (redelivery). */
export type BatchHandler = (batch: RecordBatch, control: BatchControl) => Promise<void>;

export interface EventProducer {
  connect(): Promise<void>;
  /** Resolves once every message is acknowledged by all in-sync replicas. */
  send(topic: string, messages: OutgoingMessage[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface GroupConsumerOptions {
  groupId: string;
  topics: string[];
  /** Where a group with no committed offset starts: the oldest record (true) or new records only. */
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  /** Upper bound of one fetch per partition, hence of one batch. */
  maxBytesPerPartition?: number;
  /** How long the broker may wait to fill a fetch: the batching window. */
  maxWaitTimeMs?: number;
  /** How much a fetch should gather before the broker answers it early (default: any record at all). */
  minBytes?: number;
  /** Called each time the consumer has joined the group, with the partitions it was assigned, by topic. */
  onGroupJoin?: (assignment: Record<string, number[]>) => void;
}

export interface GroupConsumer {
  /** Joins the group and subscribes to the topics. */
  connect(): Promise<void>;
  /** Starts delivering batches to handleBatch; the offset is committed only after it resolves. */
  run(handleBatch: BatchHandler): Promise<void>;
  disconnect(): Promise<void>;
}

export interface TopicSpec {
  topic: string;
  numPartitions: number;
}

export interface ClusterDescription {
  clusterId: string;
  brokers: string[];
}

export interface KafkaClient {
  producer(): EventProducer;
  consumer(options: GroupConsumerOptions): GroupConsumer;
  /** Creates the topics that do not exist yet; existing topics are left as they are. */
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  describeCluster(): Promise<ClusterDescription>;
}

const defaults = { connectionTimeoutMs: 1500, requestTimeoutMs: 5000, retries: 2, logLevel: 'error' } as const;
/** Short backoff: with few retries a caller learns within about a second that the broker is unreachable. */
const retryBackoff = { initialRetryTime: 100, maxRetryTime: 1000 };

export function createKafka(brokers: string[], clientId: string, options: KafkaClientOptions = {}): KafkaClient {
  const settings = { ...defaults, ...options };
  const kafka = new Kafka({
    clientId,
    brokers,
    connectionTimeout: settings.connectionTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    retry: { retries: settings.retries, ...retryBackoff },
    logLevel: settings.logLevel === 'error' ? logLevel.ERROR : logLevel.NOTHING,
    ssl: typeof settings.tls === 'object' ? { ca: [settings.tls.ca] } : settings.tls === true,
    sasl: settings.scram && { mechanism: 'scram-sha-512', ...settings.scram },
  });

  async function withAdmin<T>(work: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  }

  return {
    producer: () => createProducer(kafka, settings.retries),
    consumer: (consumerOptions) => createGroupConsumer(kafka, consumerOptions),
    ensureTopics: (topics) =>
      withAdmin(async (admin) => {
        const existing = new Set(await admin.listTopics());
        const missing = topics.filter(({ topic }) => !existing.has(topic));
        if (missing.length === 0) return;
        // Another process may create the same topic meanwhile: createTopics then answers false, not an error.
        await admin.createTopics({ waitForLeaders: true, topics: missing.map(({ topic, numPartitions }) => ({ topic, numPartitions })) });
      }),
    describeCluster: () =>
      withAdmin(async (admin) => {
        const cluster = await admin.describeCluster();
        return { clusterId: cluster.clusterId, brokers: cluster.brokers.map(({ host, port }) => `${host}:${port}`) };
      }),
  };
}

function createProducer(kafka: Kafka, retries: number): EventProducer {
  // Ordered at-least-once: one request in flight per broker, so a retried batch cannot overtake the next,
  // and idempotence so the broker drops the duplicates those retries would write. kafkajs warns that
  // limiting retries weakens exactly-once; we only promise at-least-once (callers retry the whole send).
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    // kafkajs refuses an idempotent producer that may not retry at all.
    retry: { retries: Math.max(1, retries), ...retryBackoff },
  });
  return {
    connect: () => producer.connect(),
    send: async (topic, messages) => {
      await producer.send({ topic, acks: -1, messages });
    },
    disconnect: () => producer.disconnect(),
  };
}

function createGroupConsumer(kafka: Kafka, options: GroupConsumerOptions): GroupConsumer {
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
    maxWaitTimeInMs: options.maxWaitTimeMs ?? 500,
    minBytes: options.minBytes ?? 1,
  });
  const { onGroupJoin } = options;
  if (onGroupJoin) consumer.on(consumer.events.GROUP_JOIN, (event) => onGroupJoin(event.payload.memberAssignment));
  return {
    connect: async () => {
      await consumer.connect();
      await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? false });
    },
    run: (handleBatch) =>
      consumer.run({
        // Offsets move only through processBatch below, after the handler succeeded.
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => processBatch(payload, handleBatch),
      }),
    disconnect: () => consumer.disconnect(),
  };
}

async function processBatch(payload: EachBatchPayload, handleBatch: BatchHandler): Promise<void> {
  const { batch } = payload;
  const records = batch.messages.map((message) => ({
    topic: batch.topic,
    partition: batch.partition,
    offset: message.offset,
    key: message.key === null ? null : message.key.toString('utf8'),
    value: message.value,
    headers: headersToStrings(message.headers),
    timestamp: message.timestamp,
  }));
  if (records.length > 0) {
    await handleBatch(
      { topic: batch.topic, partition: batch.partition, records },
      { heartbeat: payload.heartbeat, isRunning: payload.isRunning },
    );
  }
  // lastOffset() also covers records kafkajs filtered out (transaction control records).
  const lastOffset = batch.lastOffset();
  payload.resolveOffset(lastOffset);
  const nextOffset = (BigInt(lastOffset) + 1n).toString();
  await payload.commitOffsetsIfNecessary({
    topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: nextOffset }] }],
  });
}

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = first.toString();
  }
  return result;
}
