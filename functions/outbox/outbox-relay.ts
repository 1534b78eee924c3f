/**
 * The outbox relay: drains pending messages to their destination, oldest first, at least once.
 * A destination is drained by one relay at a time (advisory lock), so per-patient order holds.
 * A failed delivery backs off (see markFailed) and is retried by the next run or the sweep.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../shared/db.schema.js';
import type { Logger } from '../shared/logger.js';
import * as repo from './outbox.repository.js';
import type { OutboxDestination, OutboxRow } from './outbox.table.js';

export interface DeliveryResult {
  /** Rows delivered, in order; delivery stops at the first failure. */
  delivered: number[];
  error?: Error;
}

export interface Publisher {
  destination: OutboxDestination;
  deliver(rows: OutboxRow[]): Promise<DeliveryResult>;
}

export interface RelayReport {
  destination: OutboxDestination;
  published: number;
  failed: number;
  skipped?: 'locked';
}

export async function relayOutbox(
  db: Kysely<Database>,
  publishers: Publisher[],
  log: Logger,
  options: { batchSize?: number; maxBatches?: number } = {},
): Promise<RelayReport[]> {
  const reports: RelayReport[] = [];
  for (const publisher of publishers) reports.push(await drain(db, publisher, log, options.batchSize ?? 100, options.maxBatches ?? 50));
  return reports;
}

async function drain(db: Kysely<Database>, publisher: Publisher, log: Logger, batchSize: number, maxBatches: number): Promise<RelayReport> {
  const report: RelayReport = { destination: publisher.destination, published: 0, failed: 0 };
  for (let batch = 0; batch < maxBatches; batch += 1) {
    const outcome = await db.transaction().execute(async (trx) => {
      if (!(await repo.tryLockDestination(trx, publisher.destination))) return 'locked' as const;
      const rows = await repo.duePending(trx, publisher.destination, batchSize);
      if (rows.length === 0) return 'empty' as const;
      const { delivered, error } = await publisher.deliver(rows);
      await repo.markPublished(trx, delivered);
      report.published += delivered.length;
      if (!error) return rows.length < batchSize ? ('empty' as const) : ('more' as const);
      const undelivered = rows.filter((row) => !delivered.includes(row.id)).map((row) => row.id);
      await repo.markFailed(trx, undelivered, `${error.name}: ${error.message}`);
      report.failed += undelivered.length;
      log.warn({ destination: publisher.destination, failed: undelivered.length, err: { type: error.name, message: error.message } }, 'outbox delivery failed; will retry');
      return 'failed' as const;
    });
    if (outcome === 'locked') return { ...report, skipped: 'locked' };
    if (outcome !== 'more') break;
  }
  return report;
}
