/** SQL for the transactional outbox. `enqueue` runs in the caller's transaction, beside the change it reports. */
import { sql, type Kysely, type Transaction } from 'kysely';
import { ADVISORY_LOCK_SPACE } from '../shared/advisory-locks.js';
import type { Database } from '../shared/db.schema.js';
import type { OutboxDestination, OutboxMessage } from './outbox.table.js';

type Db = Kysely<Database> | Transaction<Database>;

export async function enqueue(db: Db, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await db
    .insertInto('outbox')
    .values(
      messages.map((m) => ({
        event_id: m.eventId,
        destination: m.destination,
        aggregate_id: m.aggregateId,
        payload: Buffer.from(m.payload),
        last_error: null,
        published_at: null,
      })),
    )
    .execute();
}

/**
 * One relay at a time drains a destination (a transaction-scoped advisory lock), which keeps
 * Kafka events in commit order per patient. A second relay waits a little (3 s) for the lock before
 * giving up; the holder re-reads once after its last batch, and the sweep catches the rest.
 */
export async function lockDestination(trx: Transaction<Database>, destination: OutboxDestination): Promise<boolean> {
  await sql`set local lock_timeout = '3s'`.execute(trx);
  try {
    await sql`select pg_advisory_xact_lock(${ADVISORY_LOCK_SPACE.outbox}, hashtext(${destination}))`.execute(trx);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '55P03') return false; // lock_not_available: another relay is on it
    throw error;
  }
}

/**
 * Pending messages of a destination, oldest first: all of them (`dueOnly: false`, for an ordered
 * destination that backs off as a whole) or only those whose backoff is over.
 */
export function pendingMessages(db: Db, destination: OutboxDestination, limit: number, options: { dueOnly: boolean }) {
  let query = db.selectFrom('outbox').selectAll().where('destination', '=', destination).where('published_at', 'is', null);
  if (options.dueOnly) query = query.where('next_attempt_at', '<=', sql<Date>`now()`);
  return query.orderBy('id').limit(limit).execute();
}

export async function markPublished(db: Db, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('outbox').set({ published_at: new Date(), last_error: null }).where('id', 'in', ids).execute();
}

/** Backs off exponentially (1 s, 2 s, 4 s … capped at a minute) so a long outage is not hammered. */
export async function markFailed(db: Db, ids: number[], error: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('outbox')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      last_error: error.slice(0, 500),
      // The exponent is capped before use: 2^44 seconds no longer fits an interval.
      next_attempt_at: sql<Date>`now() + make_interval(secs => least(60, power(2, least(attempts, 6))))`,
    }))
    .where('id', 'in', ids)
    .execute();
}

/**
 * A message its destination keeps refusing (billing: INVALID_ARGUMENT) backs off like any other, and
 * after MAX_REJECTIONS it is parked: no longer retried, kept for an operator (see README).
 */
export const MAX_REJECTIONS = 20;

export async function markRejected(db: Db, id: number, error: string): Promise<boolean> {
  const row = await db
    .updateTable('outbox')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      last_error: error.slice(0, 500),
      next_attempt_at: sql<Date>`case when attempts + 1 >= ${MAX_REJECTIONS} then 'infinity'::timestamptz
        else now() + make_interval(secs => least(60, power(2, least(attempts, 6)))) end`,
    }))
    .where('id', '=', id)
    .returning(['attempts'])
    .executeTakeFirst();
  return (row?.attempts ?? 0) >= MAX_REJECTIONS;
}

export function pendingCount(db: Db) {
  return db
    .selectFrom('outbox')
    .select(['destination', sql<number>`count(*)::int`.as('pending')])
    .where('published_at', 'is', null)
    .groupBy('destination')
    .execute();
}

/**
 * Deletes messages delivered more than `retentionDays` ago. They are no longer needed (delivery is
 * at least once and done), and billing messages hold a copy of the patient's name and email.
 */
export async function deleteDeliveredBefore(db: Db, retentionDays: number, limit = 1000): Promise<number> {
  const result = await db
    .deleteFrom('outbox')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('outbox')
        .select('id')
        .where('published_at', '<', sql<Date>`now() - make_interval(days => ${retentionDays})`)
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
