/** SQL for the transactional outbox. `enqueue` runs in the caller's transaction, beside the change it reports. */
import { sql, type Kysely, type Transaction } from 'kysely';
import { ADVISORY_LOCK_SPACE } from '../shared/advisory-locks.js';
import type { Database } from '../shared/db.schema.js';
import type { OutboxDestination, OutboxMessage } from './outbox.table.js';

type Db = Kysely<Database> | Transaction<Database>;

/** The outbox rows of messages, for an insert of their own or one within a change's statement. */
export function outboxRows(messages: OutboxMessage[]) {
  return messages.map((m) => ({
    event_id: m.eventId,
    destination: m.destination,
    aggregate_id: m.aggregateId,
    payload: Buffer.from(m.payload),
    last_error: null,
    published_at: null,
  }));
}

export async function enqueue(db: Db, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await db.insertInto('outbox').values(outboxRows(messages)).execute();
}

/**
 * One relay at a time drains a destination (a transaction-scoped advisory lock), which keeps Kafka
 * events in commit order per patient. A relay that finds it taken moves on at once: the holder is
 * draining and lingers for new messages (relay.ts), and the sweep catches the rest.
 */
export async function lockDestination(trx: Transaction<Database>, destination: OutboxDestination): Promise<boolean> {
  const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${ADVISORY_LOCK_SPACE.outbox}, hashtext(${destination})) as locked`.execute(trx);
  return rows[0]?.locked === true;
}

/**
 * At most `slots` relay runs at once, whoever invokes them (AWS honours the function's reserved
 * concurrency; serverless offline ignores it). A run holds one session-level advisory lock on its own
 * connection and does all its work on that connection; `undefined` when every slot is taken.
 */
export async function withRelaySlot<T>(db: Kysely<Database>, slots: number, work: (connection: Kysely<Database>) => Promise<T>): Promise<T | undefined> {
  return db.connection().execute(async (connection) => {
    for (let slot = 0; slot < slots; slot += 1) {
      const { rows } = await sql<{ got: boolean }>`select pg_try_advisory_lock(${ADVISORY_LOCK_SPACE.relaySlots}, ${slot}) as got`.execute(connection);
      if (!rows[0]?.got) continue;
      try {
        return await work(connection);
      } finally {
        await sql`select pg_advisory_unlock(${ADVISORY_LOCK_SPACE.relaySlots}, ${slot})`.execute(connection);
      }
    }
    return undefined;
  });
}

/** Relay runs going on now (held slots), for tests and operators. */
export async function runningRelays(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_locks
    where locktype = 'advisory' and classid = ${ADVISORY_LOCK_SPACE.relaySlots} and granted`.execute(db);
  return rows[0]?.n ?? 0;
}

/**
 * Pending messages of a destination, oldest first: all of them (`dueOnly: false`, for an ordered
 * destination that backs off as a whole) or only those whose backoff is over.
 */
export function pendingMessages(db: Db, destination: OutboxDestination, limit: number, options: { dueOnly: boolean }) {
  let query = db
    .selectFrom('outbox')
    .selectAll()
    .where('destination', '=', destination)
    .where('published_at', 'is', null)
    .where('next_attempt_at', '<>', sql<Date>`'infinity'::timestamptz`);
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
 * A message its receiver refuses on its merits (billing: INVALID_ARGUMENT, FAILED_PRECONDITION…) is
 * parked at once: retrying the same bytes cannot help. It stays, never retried, until an admin replays
 * it (`POST /api/outbox/{id}/retry`) once the cause is fixed. Passing failures never park (markFailed).
 */
export async function markParked(db: Db, id: number, error: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error.slice(0, 500), next_attempt_at: sql<Date>`'infinity'::timestamptz` }))
    .where('id', '=', id)
    .execute();
}

export type OutboxState = 'pending' | 'parked' | 'delivered';

const PARKED = sql<Date>`'infinity'::timestamptz`;

/** Messages in a state, oldest first, after `afterId` (keyset paging). The payload stays in the database. */
export function messagesInState(db: Db, state: OutboxState, limit: number, afterId = 0) {
  let query = db
    .selectFrom('outbox')
    .select(['id', 'event_id', 'destination', 'aggregate_id', 'created_at', 'attempts', 'next_attempt_at', 'last_error', 'published_at'])
    .where('id', '>', afterId);
  if (state === 'delivered') query = query.where('published_at', 'is not', null);
  else query = query.where('published_at', 'is', null).where('next_attempt_at', state === 'parked' ? '=' : '<>', PARKED);
  return query.orderBy('id').limit(limit).execute();
}

/** Puts a parked message back in line (due now). Returns false when there is no such parked message. */
export async function unpark(db: Db, id: number): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set({ next_attempt_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('published_at', 'is', null)
    .where('next_attempt_at', '=', PARKED)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export function findMessage(db: Db, id: number) {
  return db.selectFrom('outbox').select(['id', 'published_at', 'next_attempt_at']).where('id', '=', id).executeTakeFirst();
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
