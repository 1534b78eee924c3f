/**
 * The outbox under billing faults: a passing failure (the billing server answering INTERNAL) is retried
 * until it succeeds, never parked; a message billing refuses on its merits is parked at once, shown to
 * an admin, logged for an alarm, and delivered once replayed. Relay runs stay within their bound.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import pg from 'pg';
import type { SpawnedBillingServer } from '../../billing-server/launcher.js';
import { BillingRequest } from '../../proto/generated/billing.js';
import { call, eventually, login, newPatient, userWithRole } from '../support/api.js';
import { billingAccountCount, closeBillingDatabase, startBillingServer, warmUpBillingView } from '../support/billing.js';
import { rememberSentFields } from '../support/sent-values.js';

type OutboxMessage = { id: string; eventId: string; patientId: string; state: string; attempts: number; lastError: string | null };

let billing: SpawnedBillingServer;
let admin: string;
let database: pg.Client;

before(async () => {
  billing = await startBillingServer('outbox-faults-e2e');
  admin = (await login()).token;
  database = new pg.Client({ connectionString: process.env.TEST_STACK_DATABASE_URL });
  await database.connect();
  await warmUpBillingView(admin);
});

after(async () => {
  await database?.query('alter table if exists billing.accounts_away rename to accounts').catch(() => undefined);
  await database?.end();
  await closeBillingDatabase();
  await billing?.stop();
});

const outbox = async (state: string) => {
  const response = await call('GET', `/api/outbox?state=${state}&limit=200`, { token: admin, contract: '/api/outbox' });
  assert.equal(response.status, 200);
  return (response.body as { messages: OutboxMessage[] }).messages;
};

const RELAY_FUNCTION = 'patient-management-local-outboxRelay';
/** ADVISORY_LOCK_SPACE.relaySlots (functions/shared/advisory-locks.ts) and OUTBOX_RELAY_CONCURRENCY of the stack. */
const RELAY_SLOTS = { lockSpace: 3, count: 2 };

async function invokeRelay(lambda: LambdaClient): Promise<{ skipped?: string; reports?: unknown[] }> {
  const result = await lambda.send(new InvokeCommand({ FunctionName: RELAY_FUNCTION, InvocationType: 'RequestResponse' }));
  return JSON.parse(Buffer.from(result.Payload ?? []).toString() || '{}') as { skipped?: string; reports?: unknown[] };
}

describe('a billing fault that passes', () => {
  test('INTERNAL from billing is retried until it succeeds: the account is opened once, nothing is parked', async () => {
    // The billing server's query fails (undefined table): it answers INTERNAL.
    await database.query('alter table billing.accounts rename to accounts_away');
    const created = await call('POST', '/api/patients', { token: admin, body: newPatient() });
    assert.equal(created.status, 201);
    const patientId = (created.body as { id: string }).id;

    const failing = await eventually(async () => (await outbox('pending')).find((m) => m.patientId === patientId && m.attempts > 0 && m.lastError?.includes('INTERNAL')));
    assert.equal(failing.state, 'pending');
    assert.equal((await outbox('parked')).some((m) => m.patientId === patientId), false);
    // Still being retried: nothing to replay.
    const replay = await call('POST', `/api/outbox/${failing.id}/retry`, { token: admin, contract: '/api/outbox/{id}/retry' });
    assert.equal(replay.status, 409);

    await database.query('alter table billing.accounts_away rename to accounts');
    await eventually(async () => ((await billingAccountCount(patientId)) === 1 ? true : undefined), 90_000, 500);
    assert.equal((await outbox('parked')).some((m) => m.patientId === patientId), false);
  });
});

describe('a message whose kick was lost', () => {
  test('is delivered by the scheduled sweep', async () => {
    // No relay run going on, and nothing that kicks one: whatever run delivers the message is a sweep.
    await eventually(async () => {
      const { rows } = await database.query<{ n: number }>(`select count(*)::int as n from pg_locks where locktype = 'advisory' and classid = $1 and granted`, [RELAY_SLOTS.lockSpace]);
      return rows[0]!.n === 0 ? true : undefined;
    }, 30_000, 20);
    const patientId = randomUUID();
    const written = Date.now();
    // Written as a patient change writes it, but without the kick that follows the commit.
    const request = BillingRequest.encode({ patientId, name: 'Sweep Patient', email: 'sweep@example.org' }).finish();
    await database.query(`insert into outbox (event_id, destination, aggregate_id, payload) values ($1, 'billing', $2, $3)`, [randomUUID(), patientId, Buffer.from(request)]);

    await eventually(async () => ((await billingAccountCount(patientId)) === 1 ? true : undefined), 30_000, 250);

    // The run logs once it is over, a little after the account was opened.
    const runs = await eventually(async () => {
      const delivering = (await readFile(path.join(process.env.TEST_STACK_DIR!, 'logs', 'offline.log'), 'utf8')).split('\n')
        .filter((line) => line.includes('"msg":"outbox relay run"'))
        .map((line) => JSON.parse(line) as { time: number; trigger: string; reports: { destination: string; published: number }[] })
        .filter((run) => run.time >= written && run.reports.some((r) => r.destination === 'billing' && r.published > 0));
      return delivering.length > 0 ? delivering : undefined;
    }, 15_000);
    assert.deepEqual(runs.map((run) => run.trigger), runs.map(() => 'sweep'));
  });
});

describe('a message billing refuses', () => {
  test('is parked at once, listed for an admin, logged for an alarm, and delivered once replayed', async () => {
    const patientId = randomUUID();
    const eventId = randomUUID();
    // A message the billing server refuses (INVALID_ARGUMENT): an email it cannot accept.
    const refusedRequest = { patientId, name: 'Replay Patient', email: 'not an email' };
    rememberSentFields(refusedRequest);
    const refused = BillingRequest.encode(refusedRequest).finish();
    await database.query(`insert into outbox (event_id, destination, aggregate_id, payload) values ($1, 'billing', $2, $3)`, [eventId, patientId, Buffer.from(refused)]);
    // A patient created beside it: its account goes out with the refused message's batch (the calls of a
    // batch run side by side), and is opened whatever happens to the refused one.
    const beside = await call('POST', '/api/patients', { token: admin, body: newPatient() }); // kicks the relay
    assert.equal(beside.status, 201);
    const besideId = (beside.body as { id: string }).id;

    const parked = await eventually(async () => (await outbox('parked')).find((m) => m.eventId === eventId), 60_000);
    await eventually(async () => ((await billingAccountCount(besideId)) === 1 ? true : undefined), 30_000, 500);
    assert.equal((await outbox('parked')).some((m) => m.patientId === besideId), false);
    assert.match(parked.lastError ?? '', /INVALID_ARGUMENT|invalid/i);
    assert.equal(parked.attempts, 1);
    const offlineLog = await readFile(path.join(process.env.TEST_STACK_DIR!, 'logs', 'offline.log'), 'utf8');
    assert.match(offlineLog, new RegExp(`"event":"outbox.parked"[^\\n]*"outboxId":${parked.id}\\b`));
    assert.equal(offlineLog.includes('Replay Patient'), false);

    // The operator fixes the cause (here: the message's bad email), then replays it through the API.
    const fixedRequest = { patientId, name: 'Replay Patient', email: 'replay@example.org' };
    rememberSentFields(fixedRequest);
    const fixed = BillingRequest.encode(fixedRequest).finish();
    await database.query('update outbox set payload = $1 where event_id = $2', [Buffer.from(fixed), eventId]);
    const clinician = await userWithRole(admin, 'clinician');
    assert.equal((await call('POST', `/api/outbox/${parked.id}/retry`, { token: clinician.token })).status, 403);
    assert.equal((await call('POST', `/api/outbox/${parked.id}/retry`, { token: admin, contract: '/api/outbox/{id}/retry' })).status, 202);

    await eventually(async () => ((await billingAccountCount(patientId)) === 1 ? true : undefined), 30_000, 500);
    const again = await call('POST', `/api/outbox/${parked.id}/retry`, { token: admin, contract: '/api/outbox/{id}/retry' });
    assert.equal(again.status, 409);
    assert.equal((await call('POST', '/api/outbox/999999999/retry', { token: admin, contract: '/api/outbox/{id}/retry' })).status, 404);
    assert.equal((await call('POST', '/api/outbox/abc/retry', { token: admin, contract: '/api/outbox/{id}/retry' })).status, 400);
    assert.equal((await call('GET', '/api/outbox?state=lost', { token: admin, contract: '/api/outbox' })).status, 400);
    assert.equal((await call('GET', '/api/outbox', { token: clinician.token, contract: '/api/outbox' })).status, 403);
  });
});

describe('relay runs', () => {
  let lambda: LambdaClient;
  before(() => {
    lambda = new LambdaClient({ endpoint: process.env.LAMBDA_ENDPOINT, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  });
  after(() => lambda?.destroy());

  test('never exceed their bound, however many invocations arrive at once', async () => {
    let maxRunning = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await database.query<{ n: number }>(`select count(*)::int as n from pg_locks where locktype = 'advisory' and classid = $1 and granted`, [RELAY_SLOTS.lockSpace]);
        maxRunning = Math.max(maxRunning, rows[0]!.n);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const writes = Array.from({ length: 20 }, () => call('POST', '/api/patients', { token: admin, body: newPatient() }));
    const invocations = Array.from({ length: 20 }, () => invokeRelay(lambda));
    await Promise.all(invocations);
    assert.deepEqual((await Promise.all(writes)).map((r) => r.status).filter((s) => s !== 201), []);
    sampling = false;
    await sampler;
    // A run lingers over a second after its last delivery (relay.ts), so the sampler sees each one.
    assert.ok(maxRunning >= 1 && maxRunning <= RELAY_SLOTS.count, `at most ${RELAY_SLOTS.count} relay runs at once, saw ${maxRunning}`);
  });

  test('an invocation that finds every slot taken gives up and answers busy', async () => {
    // The test holds every slot itself (waiting for runs going on to end), so the invocation finds them all
    // taken for as long as it waits, however fast or slow the machine is.
    const holder = new pg.Client({ connectionString: process.env.TEST_STACK_DATABASE_URL });
    await holder.connect();
    try {
      for (let slot = 0; slot < RELAY_SLOTS.count; slot += 1) await holder.query('select pg_advisory_lock($1, $2)', [RELAY_SLOTS.lockSpace, slot]);

      const outcome = await invokeRelay(lambda);

      assert.deepEqual(outcome, { reports: [], pruned: 0, skipped: 'busy' });
    } finally {
      await holder.end(); // ends the session, releasing its slots
    }
  });
});
