/** SQL for the transactional outbox. `enqueue` runs in the caller's transaction, beside the change it reports. */
import { sql, type Kysely, type Transaction } from 'kysely';
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
 * Kafka events in commit order per patient without coordination between relays.
 */
export async function tryLockDestination(trx: Transaction<Database>, destination: OutboxDestination): Promise<boolean> {
  const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtext(${`outbox:${destination}`})) as locked`.execute(trx);
  return rows[0]?.locked === true;
}

export function duePending(db: Db, destination: OutboxDestination, limit: number) {
  return db
    .selectFrom('outbox')
    .selectAll()
    .where('destination', '=', destination)
    .where('published_at', 'is', null)
    .where('next_attempt_at', '<=', sql<Date>`now()`)
    .orderBy('id')
    .limit(limit)
    .execute();
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
      next_attempt_at: sql<Date>`now() + least(interval '1 minute', interval '1 second' * power(2, attempts))`,
    }))
    .where('id', 'in', ids)
    .execute();
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
