import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import pg from 'pg';
import { BillingServiceClient } from '../../proto/generated/billing.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { spawnBillingServer } from '../launcher.js';
import { call, freePort } from './support/billing-test-server.js';

/** Polls `condition` until it holds (10 s at most). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  const giveUpAt = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > giveUpAt) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a spawned billing server', () => {
  let database: TestDatabase;
  let logDir: string;
  before(async () => {
    database = await createTestDatabase('billing');
    logDir = await mkdtemp(join(tmpdir(), 'billing-server-'));
  });
  after(async () => {
    await database?.drop();
    await rm(logDir, { recursive: true, force: true });
  });

  test('on SIGTERM it finishes the call in flight, exits, and keeps its data for the next start', async () => {
    const port = await freePort();
    const logFile = join(logDir, 'billing.log');
    const first = await spawnBillingServer({ databaseUrl: database.url, port, logFile });
    const client = new BillingServiceClient(first.address, grpc.credentials.createInsecure());
    const sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
    const patientId = randomUUID();
    try {
      // Make the next CreateBillingAccount wait on a row lock, so it is in flight when SIGTERM arrives.
      await sql.query('begin');
      await sql.query(`insert into billing.accounts (patient_id, name, email) values ($1, 'x', 'x@example.org')`, [patientId]);
      const inFlight = call(client.createBillingAccount.bind(client), { patientId, name: 'Ada Lovelace', email: 'ada@example.org' });
      // In flight: the server's insert waits on the test's row lock.
      await until(async () => {
        const { rows } = await sql.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`);
        return rows[0]!.n > 0;
      });

      const stopped = first.stop();
      // The server has taken the SIGTERM and is draining while the call still waits.
      await until(async () => (await readFile(logFile, 'utf8')).includes('"msg":"billing server shutting down"'));
      await sql.query('rollback'); // the in-flight insert may now proceed

      const response = await inFlight;
      assert.equal(response.status, 'ACTIVE');
      await stopped;
    } finally {
      client.close();
      await sql.end();
    }

    const log = await readFile(logFile, 'utf8');
    assert.match(log, /"method":"CreateBillingAccount","code":"OK","durationMs":/);
    assert.doesNotMatch(log, /Ada Lovelace|ada@example\.org/);

    const second = await spawnBillingServer({ databaseUrl: database.url, port, logFile });
    const nextClient = new BillingServiceClient(second.address, grpc.credentials.createInsecure());
    try {
      const account = await call(nextClient.getBillingAccount.bind(nextClient), { patientId });
      assert.equal(account.status, 'ACTIVE');
    } finally {
      nextClient.close();
      await second.stop();
    }
  });
});
