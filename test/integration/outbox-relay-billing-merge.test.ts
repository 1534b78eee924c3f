/**
 * The outbox relay with `billing-merge` as its destination (MergeAccounts), against real PostgreSQL and a real billing
 * server on a port of this file's own: a merge moves the source's invoices once however often it is delivered, an
 * undo never overtakes its merge (the destination is ordered), and a message billing refuses is parked while the
 * next ones go out.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { eventually } from '../support/api.js';
import { useRelayBilling } from '../support/relay-billing.js';

// Before anything loads functions/shared/config.ts: the relay dials this file's billing server.
const relay = await useRelayBilling('outbox_billing_merge');
const { startBilling, stopBilling } = relay;
const { enqueue, messagesInState } = await import('../../functions/outbox/outbox.repository.js');
const { relayOutbox } = await import('../../functions/outbox/outbox-relay.js');
const { billingMergePublisher } = await import('../../functions/outbox/publishers.js');
const { billingMergeMessage } = await import('../../functions/patients/patient-messages.js');
const billingClient = await import('../../functions/billing/billing.client.js');
const { logger } = await import('../../functions/shared/logger.js');

const log = logger.child({ test: 'outbox-relay-billing-merge' });
log.level = 'silent';

/** A source patient with an account and two invoices, a target patient with an account and none. */
async function patientsWithInvoices() {
  const open = async () => {
    const patientId = randomUUID();
    const { accountId } = await billingClient.createBillingAccount({ patientId, name: 'Merge Patient', email: 'merge@example.org' });
    return { patientId, accountId };
  };
  const source = await open();
  const target = await open();
  const issue = () =>
    billingClient.createInvoice({
      accountId: source.accountId,
      idempotencyKey: randomUUID(),
      currency: 'EUR',
      lineItems: [{ description: 'Consultation', quantity: 1, unitAmount: 8_000 }],
    });
  const invoices = [(await issue()).invoiceId, (await issue()).invoiceId].sort();
  return { source, target, invoices, mergeId: randomUUID() };
}

async function enqueueMerge(merge: { mergeId: string; sourceId: string; targetId: string; undo: boolean }): Promise<string> {
  const message = billingMergeMessage(merge);
  await enqueue(relay.db, [{ ...message, payload: Buffer.from(message.payload) }]);
  return message.eventId;
}

const invoicesOf = async (accountId: string) =>
  (await sql<{ invoice_id: string }>`select invoice_id from billing.invoices where account_id = ${accountId} order by invoice_id`.execute(relay.db)).rows.map((r) => r.invoice_id);
const statusOf = async (accountId: string) =>
  (await sql<{ status: string }>`select status from billing.accounts where account_id = ${accountId}`.execute(relay.db)).rows[0]?.status;
const movedRows = async (mergeId: string) =>
  (await sql<{ n: number }>`select count(*)::int as n from billing.account_merge_invoices where merge_id = ${mergeId}`.execute(relay.db)).rows[0]!.n;
const publishedAt = async (eventId: string) =>
  (await relay.db.selectFrom('outbox').select('published_at').where('event_id', '=', eventId).executeTakeFirstOrThrow()).published_at;

describe('the outbox relay with billing-merge', { timeout: 120_000 }, () => {
  test('a merge message moves the source\'s invoices to the target\'s account, once however often it is delivered', async () => {
    const { source, target, invoices, mergeId } = await patientsWithInvoices();
    const eventId = await enqueueMerge({ mergeId, sourceId: source.patientId, targetId: target.patientId, undo: false });

    const [report] = await relayOutbox(relay.db, [billingMergePublisher], log);
    // At least once: the same message delivered again (its first delivery's commit lost, say).
    await sql`update outbox set published_at = null where event_id = ${eventId}`.execute(relay.db);
    const [again] = await relayOutbox(relay.db, [billingMergePublisher], log);

    assert.deepEqual([report?.published, again?.published], [1, 1]);
    assert.deepEqual(await invoicesOf(target.accountId), invoices);
    assert.deepEqual(await invoicesOf(source.accountId), []);
    assert.equal(await statusOf(source.accountId), 'MERGED');
    assert.equal(await movedRows(mergeId), invoices.length);
  });

  test('a merge and its undo committed together go out in order: the invoices end where they began', async () => {
    const { source, target, invoices, mergeId } = await patientsWithInvoices();
    const merge = { mergeId, sourceId: source.patientId, targetId: target.patientId };
    await enqueueMerge({ ...merge, undo: false });
    await enqueueMerge({ ...merge, undo: true });

    const [report] = await relayOutbox(relay.db, [billingMergePublisher], log);

    assert.equal(report?.published, 2);
    assert.deepEqual(await invoicesOf(source.accountId), invoices);
    assert.equal(await statusOf(source.accountId), 'ACTIVE');
    // The merge did take effect before its undo: the moved invoices were recorded.
    assert.equal(await movedRows(mergeId), invoices.length);
  });

  test('an undo waits while its merge backs off, and both go out in order once billing is back', async () => {
    const { source, target, invoices, mergeId } = await patientsWithInvoices();
    const merge = { mergeId, sourceId: source.patientId, targetId: target.patientId };
    const mergeEvent = await enqueueMerge({ ...merge, undo: false });
    await stopBilling();
    const [failed] = await relayOutbox(relay.db, [billingMergePublisher], log);
    assert.deepEqual([failed?.published, failed?.failed], [0, 1]);
    // A longer backoff than markFailed's first second, so the test does not race it.
    await sql`update outbox set next_attempt_at = now() + interval '1 minute' where event_id = ${mergeEvent}`.execute(relay.db);
    const undoEvent = await enqueueMerge({ ...merge, undo: true });
    await startBilling();

    // The merge is still backing off: the undo behind it, due at once, must not go out first.
    const [waiting] = await relayOutbox(relay.db, [billingMergePublisher], log);

    assert.deepEqual([waiting?.published, waiting?.skipped], [0, 'backing-off']);
    assert.deepEqual([await publishedAt(mergeEvent), await publishedAt(undoEvent)], [null, null]);
    await eventually(async () => {
      await sql`update outbox set next_attempt_at = now() where published_at is null`.execute(relay.db);
      await relayOutbox(relay.db, [billingMergePublisher], log);
      return (await publishedAt(undoEvent)) ? true : undefined;
    }, 30_000, 200);
    assert.ok(await publishedAt(mergeEvent));
    assert.deepEqual(await invoicesOf(source.accountId), invoices);
    assert.equal(await statusOf(source.accountId), 'ACTIVE');
    assert.equal(await movedRows(mergeId), invoices.length, 'the merge took effect before its undo');
  });

  test('a message billing refuses is parked at once, and the next one still goes out', async () => {
    const first = await patientsWithInvoices();
    const second = await patientsWithInvoices();
    await enqueueMerge({ mergeId: first.mergeId, sourceId: first.source.patientId, targetId: first.target.patientId, undo: false });
    // The same merge id for other patients: a bug of the sender that no retry fixes (ALREADY_EXISTS).
    const refused = await enqueueMerge({ mergeId: first.mergeId, sourceId: second.source.patientId, targetId: second.target.patientId, undo: false });
    await enqueueMerge({ mergeId: second.mergeId, sourceId: second.source.patientId, targetId: second.target.patientId, undo: false });

    const [report] = await relayOutbox(relay.db, [billingMergePublisher], log);

    assert.deepEqual([report?.published, report?.failed], [2, 1]);
    assert.deepEqual((await messagesInState(relay.db, 'parked', 10)).map((m) => m.event_id), [refused]);
    assert.deepEqual(await invoicesOf(first.target.accountId), first.invoices);
    assert.deepEqual(await invoicesOf(second.target.accountId), second.invoices);
  });
});
