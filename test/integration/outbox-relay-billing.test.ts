/**
 * The outbox relay with billing as its destination, against real PostgreSQL and a real billing server (gRPC, on a
 * port of this file's own, over the test's database): a passing failure backs off, a message billing refuses on
 * its merits is parked while the others go out, a replayed one is delivered, and an unordered destination does
 * not wait behind a message that backs off.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { BillingRequest } from '../../proto/generated/messages/billing.js';
import { eventually } from '../support/api.js';
import { useRelayBilling } from '../support/relay-billing.js';

// Before anything loads functions/shared/config.ts: the relay dials this file's billing server.
const relay = await useRelayBilling('outbox_billing');
const { startBilling, stopBilling } = relay;
const { enqueue, messagesInState, unpark } = await import('../../functions/outbox/outbox.repository.js');
const { relayOutbox } = await import('../../functions/outbox/outbox-relay.js');
const { billingPublisher } = await import('../../functions/outbox/publishers.js');
const { logger } = await import('../../functions/shared/logger.js');

const log = logger.child({ test: 'outbox-relay-billing' });
log.level = 'silent';

/** Billing messages for new patients; `email` makes one billing refuses on its merits (INVALID_ARGUMENT). */
async function enqueueAccounts(emails: string[]): Promise<{ eventId: string; patientId: string }[]> {
  const messages = emails.map((email) => ({ eventId: randomUUID(), patientId: randomUUID(), email }));
  for (const { eventId, patientId, email } of messages) {
    const payload = BillingRequest.encode({ patientId, name: 'Relay Patient', email }).finish();
    await enqueue(relay.db, [{ eventId, destination: 'billing', aggregateId: patientId, payload: Buffer.from(payload) }]);
  }
  return messages;
}

const accountsOf = async (patientIds: string[]) => Promise.all(patientIds.map(async (id) =>
  Number((await sql<{ n: string }>`select count(*) as n from billing.accounts where patient_id = ${id}`.execute(relay.db)).rows[0]?.n)));
const rowOf = (eventId: string) =>
  relay.db.selectFrom('outbox').select(['attempts', 'published_at', 'next_attempt_at', sql<string>`next_attempt_at::text`.as('next')]).where('event_id', '=', eventId).executeTakeFirstOrThrow();

describe('the outbox relay with billing', { timeout: 120_000 }, () => {
  test('while billing is down every message backs off a second, then goes out once it is back', async () => {
    const messages = await enqueueAccounts(['a@example.org', 'b@example.org']);
    await stopBilling();

    const startedAt = Date.now();
    const [report] = await relayOutbox(relay.db, [billingPublisher], log);
    const endedAt = Date.now();

    assert.deepEqual([report?.published, report?.failed], [0, 2]);
    for (const { eventId } of messages) {
      const row = await rowOf(eventId);
      assert.equal(row.attempts, 1);
      assert.equal(row.published_at, null);
      // now() of the relay's transaction + 1 s (markFailed's first backoff): between these two readings of the clock.
      assert.ok(row.next_attempt_at.getTime() >= startedAt + 1_000 && row.next_attempt_at.getTime() <= endedAt + 1_000, `next attempt at ${row.next}`);
    }

    await startBilling();
    // Due at once rather than in a second; the client reconnects to the restarted server on its own schedule.
    await eventually(async () => {
      await sql`update outbox set next_attempt_at = now() where published_at is null`.execute(relay.db);
      await relayOutbox(relay.db, [billingPublisher], log);
      return (await accountsOf(messages.map((m) => m.patientId))).every((n) => n === 1) ? true : undefined;
    }, 30_000, 200);
  });

  test('an unordered destination delivers due messages past one that is backing off', async () => {
    const [stuck, ...rest] = await enqueueAccounts(['stuck@example.org', 'c@example.org', 'd@example.org']);
    await sql`update outbox set next_attempt_at = now() + interval '1 minute' where event_id = ${stuck!.eventId}`.execute(relay.db);

    const [report] = await relayOutbox(relay.db, [billingPublisher], log);

    assert.equal(report?.published, 2);
    assert.deepEqual(await accountsOf([stuck!.patientId, ...rest.map((m) => m.patientId)]), [0, 1, 1]);
  });

  test('a message billing refuses is parked at once, the others still go out', async () => {
    const [refused, accepted] = await enqueueAccounts(['not an email', 'e@example.org']);

    await relayOutbox(relay.db, [billingPublisher], log);

    assert.deepEqual(await accountsOf([refused!.patientId, accepted!.patientId]), [0, 1]);
    const parked = await rowOf(refused!.eventId);
    assert.deepEqual([parked.published_at, parked.next, parked.attempts], [null, 'infinity', 1]);
    assert.deepEqual((await messagesInState(relay.db, 'parked', 10)).map((m) => m.event_id), [refused!.eventId]);
  });

  test('a replayed parked message is delivered by the next run', async () => {
    const [message] = await enqueueAccounts(['f@example.org']);
    await sql`update outbox set next_attempt_at = 'infinity'`.execute(relay.db);
    const [parked] = await messagesInState(relay.db, 'parked', 10);
    const [idle] = await relayOutbox(relay.db, [billingPublisher], log);
    assert.equal(idle?.published, 0);

    assert.equal(await unpark(relay.db, parked!.id), true);
    const [replayed] = await relayOutbox(relay.db, [billingPublisher], log);

    assert.equal(replayed?.published, 1);
    assert.deepEqual(await accountsOf([message!.patientId]), [1]);
    assert.equal(await unpark(relay.db, parked!.id), false);
  });

  test('a second relay meeting one that is mid-delivery leaves the destination to it: every account is opened once', async () => {
    const messages = await enqueueAccounts(Array.from({ length: 10 }, (_, i) => `h${i}@example.org`));
    // The test holds the row the billing server must insert for the first patient: the first relay's batch is
    // in flight, holding the destination, for as long as the test likes.
    const holder = new pg.Client({ connectionString: relay.url });
    await holder.connect();
    let first: Promise<Awaited<ReturnType<typeof relayOutbox>>> | undefined;
    try {
      await holder.query('begin');
      await holder.query(`insert into billing.accounts (patient_id, name, email) values ($1, 'x', 'x@example.org')`, [messages[0]!.patientId]);
      first = relayOutbox(relay.db, [billingPublisher], log);
      await eventually(async () => {
        const { rows } = await holder.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
        return rows[0]!.n > 0 ? true : undefined;
      }, 10_000, 10);

      const [second] = await relayOutbox(relay.db, [billingPublisher], log);

      assert.deepEqual([second?.published, second?.skipped], [0, 'locked']);
    } finally {
      await holder.query('rollback');
      await holder.end();
      await first;
    }
    // The first relay's call may have run out its deadline meanwhile: then the message waits for the next run.
    await eventually(async () => {
      await sql`update outbox set next_attempt_at = now() where published_at is null`.execute(relay.db);
      await relayOutbox(relay.db, [billingPublisher], log);
      return (await sql<{ n: number }>`select count(*)::int as n from outbox where published_at is null`.execute(relay.db)).rows[0]!.n === 0 ? true : undefined;
    }, 30_000, 200);
    assert.deepEqual(await accountsOf(messages.map((m) => m.patientId)), messages.map(() => 1));
  });

  test('a long outage never overflows the backoff', async () => {
    await enqueueAccounts(['g@example.org']);
    await sql`update outbox set attempts = 500`.execute(relay.db);
    await stopBilling();

    const [report] = await relayOutbox(relay.db, [billingPublisher], log);

    assert.equal(report?.failed, 1);
    const [row] = await relay.db.selectFrom('outbox').select(['next_attempt_at']).execute();
    assert.ok(row!.next_attempt_at.getTime() <= Date.now() + 61_000);
  });
});
