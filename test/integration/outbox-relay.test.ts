/**
 * The outbox relay's bookkeeping against real PostgreSQL: order, partial delivery, backoff, one relay
 * per destination at a time, and pruning. The destination here records what it is given (and can be
 * told to fail); real delivery to Kafka and billing is covered end to end in test/e2e/.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { deleteDeliveredBefore, enqueue, messagesInState, unpark } from '../../functions/outbox/outbox.repository.js';
import { relayOutbox, type Publisher } from '../../functions/outbox/outbox-relay.js';
import type { OutboxRow } from '../../functions/outbox/outbox.table.js';
import type { Database } from '../../functions/shared/db.schema.js';
import { logger } from '../../functions/shared/logger.js';
import { createMigratedTestDatabase } from '../support/database.js';

const log = logger.child({ test: 'outbox-relay' });
log.level = 'silent';

let db: Kysely<Database>;
let url: string;
let close: () => Promise<void>;

before(async () => {
  ({ db, url, close } = await createMigratedTestDatabase('outbox', 4));
});
after(async () => {
  await close?.();
});
beforeEach(async () => {
  await sql`truncate outbox`.execute(db);
});

function recordingDestination(options: { failAfter?: number; onDeliver?: () => Promise<void>; batchSize?: number } = {}) {
  const received: string[] = [];
  const publisher: Publisher = {
    destination: 'kafka',
    ordered: true,
    batchSize: options.batchSize ?? 100,
    async deliver(rows: OutboxRow[]) {
      await options.onDeliver?.();
      const delivered: number[] = [];
      for (const row of rows) {
        if (options.failAfter !== undefined && received.length >= options.failAfter) return { delivered, error: new Error('broker unreachable') };
        received.push(row.event_id);
        delivered.push(row.id);
      }
      return { delivered };
    },
  };
  return { publisher, received };
}

async function enqueueEvents(count: number, aggregateId = randomUUID()): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  for (const eventId of ids) await enqueue(db, [{ eventId, destination: 'kafka', aggregateId, payload: Buffer.from(eventId) }]);
  return ids;
}

const pending = async () => Number((await sql<{ n: string }>`select count(*) as n from outbox where published_at is null`.execute(db)).rows[0]?.n);

describe('the outbox relay', () => {
  test('delivers pending messages in commit order and marks them published', async () => {
    const ids = await enqueueEvents(250);
    const { publisher, received } = recordingDestination({ batchSize: 100 });
    const [report] = await relayOutbox(db, [publisher], log);
    assert.deepEqual(received, ids);
    assert.equal(report?.published, 250);
    assert.equal(await pending(), 0);
  });

  test('a delivered message is not delivered again by the next run', async () => {
    await enqueueEvents(3);
    const first = recordingDestination();
    await relayOutbox(db, [first.publisher], log);
    const second = recordingDestination();
    await relayOutbox(db, [second.publisher], log);
    assert.deepEqual(second.received, []);
  });

  test('on a failure it keeps what was delivered and backs off the rest, in order', async () => {
    const ids = await enqueueEvents(5);
    const failing = recordingDestination({ failAfter: 2 });
    const [report] = await relayOutbox(db, [failing.publisher], log);
    assert.deepEqual([report?.published, report?.failed], [2, 3]);
    const rows = await db.selectFrom('outbox').select(['event_id', 'attempts', 'next_attempt_at', 'published_at']).orderBy('id').execute();
    assert.deepEqual(rows.map((r) => r.published_at !== null), [true, true, false, false, false]);
    assert.ok(rows.slice(2).every((r) => r.attempts === 1 && r.next_attempt_at.getTime() > Date.now()));

    // Before the backoff ends nothing is retried, not even messages committed since (order per patient);
    // after it, everything goes out in order.
    const later = await enqueueEvents(1);
    const tooEarly = recordingDestination();
    await relayOutbox(db, [tooEarly.publisher], log);
    assert.deepEqual(tooEarly.received, []);
    await sql`update outbox set next_attempt_at = now()`.execute(db);
    const recovered = recordingDestination();
    await relayOutbox(db, [recovered.publisher], log);
    assert.deepEqual(recovered.received, [...ids.slice(2), ...later]);
  });

  test('an unordered destination delivers due messages past one that is backing off', async () => {
    const [stuck, ...rest] = await enqueueEvents(3);
    await sql`update outbox set destination = 'billing', next_attempt_at = case when event_id = ${stuck} then now() + interval '1 minute' else now() end`.execute(db);
    const billing = recordingDestination();
    const [report] = await relayOutbox(db, [{ ...billing.publisher, destination: 'billing', ordered: false }], log);
    assert.deepEqual(billing.received, rest);
    assert.equal(report?.published, 2);
  });

  test('a message its destination refuses is parked at once, the others still go out', async () => {
    const [refused, accepted] = await enqueueEvents(2);
    await sql`update outbox set destination = 'billing'`.execute(db);
    const received: string[] = [];
    const refusing: Publisher = {
      destination: 'billing',
      ordered: false,
      batchSize: 10,
      async deliver(rows) {
        const delivered = rows.filter((r) => r.event_id !== refused).map((r) => (received.push(r.event_id), r.id));
        const rejected = rows.filter((r) => r.event_id === refused).map((r) => ({ id: r.id, error: new Error('INVALID_ARGUMENT') }));
        return { delivered, rejected };
      },
    };
    await relayOutbox(db, [refusing], log);
    assert.deepEqual(received, [accepted]);
    const parked = await db.selectFrom('outbox').select(['published_at', sql<string>`next_attempt_at::text`.as('next')]).where('event_id', '=', refused!).executeTakeFirstOrThrow();
    assert.deepEqual([parked.published_at, parked.next], [null, 'infinity']);
    assert.deepEqual((await messagesInState(db, 'parked', 10)).map((m) => m.event_id), [refused]);
  });

  test('a replayed parked message is delivered by the next run', async () => {
    const [eventId] = await enqueueEvents(1);
    await sql`update outbox set next_attempt_at = 'infinity'`.execute(db);
    const [message] = await messagesInState(db, 'parked', 10);
    const idle = recordingDestination();
    await relayOutbox(db, [idle.publisher], log);
    assert.deepEqual(idle.received, []);

    assert.equal(await unpark(db, message!.id), true);
    const recovered = recordingDestination();
    await relayOutbox(db, [recovered.publisher], log);
    assert.deepEqual(recovered.received, [eventId]);
    assert.equal(await unpark(db, message!.id), false);
  });

  test('a long outage never overflows the backoff', async () => {
    await enqueueEvents(1);
    await sql`update outbox set attempts = 500`.execute(db);
    const failing = recordingDestination({ failAfter: 0 });
    const [report] = await relayOutbox(db, [failing.publisher], log);
    assert.equal(report?.failed, 1);
    const [row] = await db.selectFrom('outbox').select(['next_attempt_at']).execute();
    assert.ok(row!.next_attempt_at.getTime() <= Date.now() + 61_000);
  });

  test('two relays at once never deliver the same message twice', async () => {
    await enqueueEvents(40);
    const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 300));
    const slow = recordingDestination({ onDeliver: pause });
    const other = recordingDestination({ onDeliver: pause });
    const [a, b] = await Promise.all([relayOutbox(db, [slow.publisher], log), relayOutbox(db, [other.publisher], log)]);
    const all = [...slow.received, ...other.received];
    assert.equal(all.length, 40);
    assert.equal(new Set(all).size, 40);
    assert.equal((a[0]?.published ?? 0) + (b[0]?.published ?? 0), 40);
  });

  test('messages delivered more than the retention period ago are pruned; pending ones never are', async () => {
    await enqueueEvents(3);
    await sql`update outbox set published_at = now() - interval '8 days' where id = (select min(id) from outbox)`.execute(db);
    await sql`update outbox set published_at = now() - interval '1 day' where id = (select max(id) from outbox)`.execute(db);
    assert.equal(await deleteDeliveredBefore(db, 7), 1);
    assert.equal(Number((await sql<{ n: string }>`select count(*) as n from outbox`.execute(db)).rows[0]?.n), 2);
  });

  test('the scheduled sweep prunes delivered messages, a kick after a patient change does not', async () => {
    await enqueueEvents(1);
    await sql`update outbox set published_at = now() - interval '8 days'`.execute(db);
    process.env.DATABASE_URL = url;
    const { handler } = await import('../../functions/outbox/relay.js');
    const { KICK } = await import('../../functions/outbox/relay-trigger.js');
    const { closeDb } = await import('../../functions/shared/db.js');
    try {
      assert.equal((await handler({ ...KICK })).pruned, 0);
      assert.equal((await handler({})).pruned, 1);
    } finally {
      await closeDb();
    }
  });
});
