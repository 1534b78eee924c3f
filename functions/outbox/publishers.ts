/** The outbox destinations: the billing server over gRPC, the Kafka topic `patient`, and the duplicate report. */
import { sql } from 'kysely';
import { BillingRequest } from '../../proto/generated/messages/billing.js';
import { BillingUnavailableError, createBillingAccount } from '../billing/billing.client.js';
import { scanForDuplicates } from '../patients/patient-duplicates.service.js';
import { config } from '../shared/config.js';
import type { EventProducer } from '../shared/kafka.js';
import { kafkaAccess } from './kafka-access.js';
import type { DeliveryResult, Publisher } from './outbox-relay.js';

const CALL_DEADLINE_MS = 2_000;

/**
 * CreateBillingAccount is idempotent per patient, so redelivering a message never opens a second
 * account. Accounts of different patients have no order between them: a batch's calls run side by side
 * (one at a time, billing fell behind a busy clinic's creates). Small batches keep each transaction short
 * (every call may take up to its 2 s deadline).
 */
export const billingPublisher: Publisher = {
  destination: 'billing',
  ordered: false,
  batchSize: 10,
  async deliver(rows, deadline): Promise<DeliveryResult> {
    // A call may take its whole deadline: start none that could outlive the relay's time budget.
    if (Date.now() + CALL_DEADLINE_MS > deadline) return { delivered: [], rejected: [] };
    const outcomes = await Promise.allSettled(rows.map((row) => createBillingAccount(BillingRequest.decode(row.payload), { deadlineMs: CALL_DEADLINE_MS })));
    const delivered: number[] = [];
    const rejected: { id: number; error: Error }[] = [];
    let unavailable: Error | undefined;
    outcomes.forEach((outcome, i) => {
      const { id } = rows[i]!;
      if (outcome.status === 'fulfilled') delivered.push(id);
      // Billing down: the row waits for the retry with the rest. Anything else concerns this row only.
      else if (outcome.reason instanceof BillingUnavailableError) unavailable ??= outcome.reason;
      else rejected.push({ id, error: outcome.reason as Error });
    });
    return unavailable ? { delivered, rejected, error: unavailable } : { delivered, rejected };
  },
};

let producer: Promise<EventProducer> | undefined;

/** Loaded with the first delivery: a sweep that finds nothing to publish never evaluates kafkajs. */
function kafkaProducer(): Promise<EventProducer> {
  producer ??= (async () => {
    const [{ createKafka }, access] = await Promise.all([import('../shared/kafka.js'), kafkaAccess()]);
    const created = createKafka(config.kafka.brokers, `${config.serviceName}-outbox-relay`, access).producer();
    await created.connect();
    return created;
  })().catch((error: unknown) => {
    producer = undefined;
    throw error;
  });
  return producer;
}

/** Disconnects the relay's producer, if it has one (tests; a Lambda container is frozen or ended instead). */
export async function closeKafkaProducer(): Promise<void> {
  const current = producer;
  producer = undefined;
  await current?.then((p) => p.disconnect()).catch(() => undefined);
}

/** One batch per send, keyed by patient id so each patient's events stay in order on one partition. */
export const kafkaPublisher: Publisher = {
  destination: 'kafka',
  ordered: true,
  batchSize: 100,
  async deliver(rows): Promise<DeliveryResult> {
    try {
      const connected = await kafkaProducer();
      await connected.send(
        config.kafka.topic,
        rows.map((row) => ({ key: row.aggregate_id, value: row.payload, headers: { 'event-id': row.event_id } })),
      );
      return { delivered: rows.map((row) => row.id) };
    } catch (error) {
      // A broken connection is rebuilt by the next run.
      const stale = producer;
      producer = undefined;
      void stale?.then((p) => p.disconnect()).catch(() => undefined);
      return { delivered: [], error: error as Error };
    }
  },
};

/** Room left for one scan (a matcher query and a few writes) before the relay's deadline. */
const SCAN_BUDGET_MS = 1_000;

/**
 * The duplicate report (functions/patients/patient-duplicates.service.ts): each message asks for a scan of its
 * patient, written in the relay's transaction so the pairs and the message's delivery commit together. A scan reads
 * the record as it is by then, so a batch scans each patient once however many of its messages it holds, and the
 * order does not matter. A failed scan is undone to its savepoint; its messages retry later, the others go on.
 */
export const duplicatesPublisher: Publisher = {
  destination: 'duplicates',
  ordered: false,
  batchSize: 20,
  async deliver(rows, deadline, trx): Promise<DeliveryResult> {
    if (!trx) throw new Error('duplicate scans are written in the relay transaction');
    const messagesOf = new Map<string, number[]>();
    for (const row of rows) messagesOf.set(row.aggregate_id, [...(messagesOf.get(row.aggregate_id) ?? []), row.id]);
    const delivered: number[] = [];
    let failure: Error | undefined;
    for (const [patientId, ids] of messagesOf) {
      if (Date.now() + SCAN_BUDGET_MS > deadline) break;
      await sql`savepoint duplicate_scan`.execute(trx);
      try {
        await scanForDuplicates(trx, patientId);
        await sql`release savepoint duplicate_scan`.execute(trx);
        delivered.push(...ids);
      } catch (error) {
        await sql`rollback to savepoint duplicate_scan`.execute(trx);
        failure ??= error as Error;
      }
    }
    return failure ? { delivered, error: failure } : { delivered };
  },
};
