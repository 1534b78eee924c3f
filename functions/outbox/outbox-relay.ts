/**
 * The outbox relay: drains pending messages to their destination, oldest first, at least once.
 * A destination is drained by one relay at a time (an advisory lock; a second relay waits briefly for
 * it, and the holder reads once more after its last batch). For an ordered destination (Kafka: one patient's
 * events must stay in order) the backoff applies to the destination as a whole: nothing newer goes out
 * while the oldest pending message waits. A failed delivery backs off (see markFailed) and is retried
 * by the next run or the sweep.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../shared/db.schema.js';
import type { Logger } from '../shared/logger.js';
import * as repo from './outbox.repository.js';
import type { OutboxDestination, OutboxRow } from './outbox.table.js';

export interface DeliveryResult {
  /** Rows delivered. */
  delivered: number[];
  /** Rows the destination refused on their merits (retrying the same message cannot help): parked. */
  rejected?: { id: number; error: Error }[];
  /** The destination failed as a whole (unreachable…): every row not delivered is retried later. */
  error?: Error;
}

export interface Publisher {
  destination: OutboxDestination;
  /** Messages must leave in commit order; a waiting message holds back the newer ones. */
  ordered: boolean;
  batchSize: number;
  /**
   * Delivers in order; stops early (leaving the rest for the next run) when `deadline` (epoch ms) comes near. A
   * destination in our own database (the duplicate report) writes through `trx`, the transaction that marks the rows
   * delivered: its writes and their delivery commit together (the relay always passes it; tests of an outside
   * destination call `deliver` without).
   */
  deliver(rows: OutboxRow[], deadline: number, trx?: Transaction<Database>): Promise<DeliveryResult>;
}

export interface RelayReport {
  destination: OutboxDestination;
  published: number;
  failed: number;
  skipped?: 'locked' | 'backing-off' | 'error';
}

export interface RelayOptions {
  maxBatches?: number;
  /** Epoch ms after which no new batch starts (the Lambda's remaining time). */
  deadline?: number;
}

export async function relayOutbox(db: Kysely<Database>, publishers: Publisher[], log: Logger, options: RelayOptions = {}): Promise<RelayReport[]> {
  const reports: RelayReport[] = [];
  for (const publisher of publishers) {
    // One destination's trouble (a database error while recording its outcome, say) must not starve the others.
    try {
      reports.push(await drain(db, publisher, log, options));
    } catch (error) {
      log.error({ destination: publisher.destination, err: { type: (error as Error).name, code: (error as { code?: string }).code } }, 'outbox drain failed');
      reports.push({ destination: publisher.destination, published: 0, failed: 0, skipped: 'error' });
    }
  }
  return reports;
}

async function drain(db: Kysely<Database>, publisher: Publisher, log: Logger, options: RelayOptions): Promise<RelayReport> {
  const report: RelayReport = { destination: publisher.destination, published: 0, failed: 0 };
  const maxBatches = options.maxBatches ?? 50;
  const deadline = options.deadline ?? Infinity;
  for (let batch = 0; batch < maxBatches && Date.now() < deadline; batch += 1) {
    const outcome = await db.transaction().execute(async (trx) => {
      if (!(await repo.lockDestination(trx, publisher.destination))) return 'locked' as const;
      const rows = await repo.pendingMessages(trx, publisher.destination, publisher.batchSize, { dueOnly: !publisher.ordered });
      if (rows.length === 0) return 'empty' as const;
      if (publisher.ordered && rows[0]!.next_attempt_at.getTime() > Date.now()) return 'backing-off' as const;

      const { delivered, rejected = [], error } = await publisher.deliver(rows, deadline, trx);
      await repo.markPublished(trx, delivered);
      report.published += delivered.length;
      for (const { id, error: reason } of rejected) {
        await repo.markParked(trx, id, describe(reason));
        // An alarm matches this line (event "outbox.parked"); an admin replays the message once the cause is fixed.
        log.error({ event: 'outbox.parked', destination: publisher.destination, outboxId: id, err: { type: reason.name, code: (reason as { code?: unknown }).code } }, 'outbox message parked: the receiver refused it');
      }
      const settled = new Set([...delivered, ...rejected.map((r) => r.id)]);
      const unsettled = rows.filter((row) => !settled.has(row.id)).map((row) => row.id);
      report.failed += rejected.length;
      // A short batch may have raced a commit: read once more before leaving (an empty read ends the run).
      // A publisher that settled nothing stopped for its deadline: the run ends.
      if (!error) return settled.size > 0 ? ('more' as const) : ('empty' as const);
      await repo.markFailed(trx, unsettled, describe(error));
      report.failed += unsettled.length;
      log.warn({ destination: publisher.destination, failed: unsettled.length, err: { type: error.name, message: error.message } }, 'outbox delivery failed; will retry');
      return 'failed' as const;
    });
    if (outcome === 'locked' || outcome === 'backing-off') return { ...report, skipped: outcome };
    if (outcome !== 'more') break;
  }
  return report;
}

const describe = (error: Error) => `${error.name}: ${error.message}`;

export interface LingerOptions {
  /** Epoch ms after which no new pass starts. */
  deadline: number;
  /** Stay this long after the last delivery, looking for messages committed meanwhile. */
  lingerMs: number;
  pollMs: number;
}

/**
 * Drains every destination, then keeps looking (every `pollMs`) until nothing has been delivered for
 * `lingerMs` or the deadline comes: writes that commit while a run is going on are delivered by it,
 * so writes share relay runs instead of each paying for one.
 */
export async function relayUntilIdle(db: Kysely<Database>, publishers: Publisher[], log: Logger, options: LingerOptions): Promise<RelayReport[]> {
  const totals = new Map<OutboxDestination, RelayReport>(publishers.map((p) => [p.destination, { destination: p.destination, published: 0, failed: 0 }]));
  let lastDelivery = Date.now();
  while (Date.now() < options.deadline) {
    let published = 0;
    for (const report of await relayOutbox(db, publishers, log, { deadline: options.deadline })) {
      const total = totals.get(report.destination)!;
      total.published += report.published;
      total.failed += report.failed;
      published += report.published;
    }
    if (published > 0) lastDelivery = Date.now();
    else if (Date.now() - lastDelivery >= options.lingerMs) break;
    else await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
  return [...totals.values()];
}
