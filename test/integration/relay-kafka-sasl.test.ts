/**
 * The outbox relay's Kafka publisher against a broker that asks what the deployed cluster asks: SASL/SCRAM-SHA-512
 * over TLS (the local broker with a second listener, scripts/kafka/broker.ts). The relay gets its credentials the
 * deployed way, from a Secrets Manager secret (moto_server here) named by KAFKA_SASL_CREDENTIALS_SECRET_ARN.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Publisher } from '../../functions/outbox/outbox-relay.js';
import type { OutboxRow } from '../../functions/outbox/outbox.table.js';
import { createKafka, type KafkaClientOptions } from '../../functions/shared/kafka.js';
import { awsCli, emulatorCredentials, startMoto, type Emulator } from '../../scripts/deploy/emulator.js';
import { ensureTopics, startKafkaBroker, type KafkaBrokerHandle } from '../../scripts/kafka/broker.js';
import { eventually } from '../support/api.js';
import { consumeUntil } from '../support/kafka-consumer.js';
import { createBrokerTlsIdentity, type BrokerTlsIdentity } from '../support/kafka-tls.js';

// Apart from the other broker tests' ports and a developer's 9092 (the controller takes plainPort + 1), and for
// each TEST_PORT_OFFSET (0, 100, 200…: tenths, so no offset lands on another test's broker).
const plainPort = 19592 + Number(process.env.TEST_PORT_OFFSET ?? 0) / 10;
const saslPort = plainPort + 2;
const saslBrokers = [`127.0.0.1:${saslPort}`];
const topic = 'patient';
const relayUser = { username: 'outbox-relay', password: randomBytes(16).toString('hex') };
const timeout = 60_000;

let dataDir = '';
let broker: KafkaBrokerHandle | undefined;
let moto: Emulator | undefined;
let tls: BrokerTlsIdentity;
let kafkaPublisher: Publisher;

describe('the outbox relay against Kafka with SASL/SCRAM over TLS', { timeout: 180_000 }, () => {
  before(async () => {
    dataDir = await mkdtemp(join(process.env.TEST_STACK_DIR ?? tmpdir(), 'kafka-sasl-test-'));
    tls = await createBrokerTlsIdentity(dataDir);
    [broker, moto] = await Promise.all([
      startKafkaBroker({ dataDir, port: plainPort, saslSsl: { port: saslPort, users: [relayUser], keystore: tls.keystore } }),
      startMoto(),
    ]);
    await ensureTopics(broker.brokers, [{ topic, numPartitions: 1 }]);
    const secret = await awsCli(moto.endpoint, ['secretsmanager', 'create-secret', '--name', 'patient-management/kafka-scram',
      '--secret-string', JSON.stringify(relayUser)]) as { ARN: string };
    // The relay's configuration in a deployed stage (serverless.yml), read when its modules load.
    Object.assign(process.env, emulatorCredentials, {
      AWS_ENDPOINT_URL: moto.endpoint,
      KAFKA_BROKERS: saslBrokers.join(','),
      KAFKA_TOPIC: topic,
      KAFKA_TLS: 'true',
      KAFKA_TLS_CA: tls.certificatePem,
      KAFKA_SASL_CREDENTIALS_SECRET_ARN: secret.ARN,
    });
    ({ kafkaPublisher } = await import('../../functions/outbox/publishers.js'));
  });

  after(async () => {
    await Promise.all([broker?.stop(), moto?.stop()]);
    await rm(dataDir, { recursive: true, force: true });
  });

  test('publishes a batch after signing in with the credentials of the secret', { timeout }, async () => {
    const rows = [1, 2, 3].map((id) => outboxRow(id));
    const result = await kafkaPublisher.deliver(rows, Date.now() + 30_000);
    assert.equal(result.error, undefined);
    assert.deepEqual(result.delivered, [1, 2, 3]);

    const records = await consumeUntil(broker?.brokers ?? [], { groupId: 'check', topics: [topic], fromBeginning: true },
      (all) => all.length >= rows.length);
    assert.deepEqual(records.map((record) => record.headers['event-id']), rows.map((row) => row.event_id));
    assert.deepEqual(records.map((record) => record.key), rows.map((row) => row.aggregate_id));
  });

  test('the broker refuses a wrong password', { timeout }, async () => {
    await assert.rejects(connect({ tls: { ca: tls.certificatePem }, scram: { ...relayUser, password: 'not-the-password' } }),
      /SASL SCRAM SHA512 authentication failed/);
  });

  test('the broker refuses a client that does not sign in, for not signing in', { timeout }, async () => {
    const brokerLog = join(dataDir, 'logs', 'server.log');
    const logBefore = (await readFile(brokerLog, 'utf8')).length;

    // Connected over TLS, the client asks for metadata without the SASL handshake: the broker hangs up on it
    await assert.rejects(connect({ tls: { ca: tls.certificatePem } }), (error: Error) =>
      error.name === 'KafkaJSConnectionClosedError' && /Closed connection/.test(error.message));
    // and says why in its log (a refused connection or a TLS failure would log no such line).
    await eventually(async () => {
      const appended = (await readFile(brokerLog, 'utf8')).slice(logBefore);
      return /Unexpected Kafka request of type \w+ during SASL handshake/.test(appended) ? true : undefined;
    }, 10_000, 100);
  });

  test('the client verifies the broker\'s certificate: an authority it does not trust is refused', { timeout }, async () => {
    await assert.rejects(connect({ tls: true, scram: relayUser }), /self-signed certificate/);
  });
});

async function connect(access: KafkaClientOptions): Promise<void> {
  const producer = createKafka(saslBrokers, 'relay-kafka-sasl-test', { logLevel: 'nothing', retries: 0, ...access }).producer();
  try {
    await producer.connect();
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

function outboxRow(id: number): OutboxRow {
  return {
    id,
    event_id: randomUUID(),
    destination: 'kafka',
    aggregate_id: randomUUID(),
    payload: Buffer.from(`event ${id}`),
    created_at: new Date(),
    attempts: 0,
    next_attempt_at: new Date(),
    last_error: null,
    published_at: null,
  };
}
