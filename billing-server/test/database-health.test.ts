/**
 * Health follows the database after startup: a server whose database stops accepting connections reports
 * NOT_SERVING (so ECS or Docker replaces it), and SERVING again once the database is back.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { checkHealth, type HealthStatus } from '../src/health-client.js';
import { startBillingTestServer, type BillingTestServer } from './support/billing-test-server.js';

async function waitForHealth(address: string, wanted: HealthStatus, timeoutMs = 5_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  let last: HealthStatus | undefined;
  while (Date.now() < giveUpAt) {
    last = await checkHealth(address);
    if (last === wanted) return;
    await sleep(50);
  }
  assert.fail(`health stayed ${String(last)} instead of turning ${wanted} within ${timeoutMs} ms`);
}

describe('billing server health when the database goes away', () => {
  let billing: BillingTestServer;
  let admin: pg.Client;
  let databaseName: string;
  const allowConnections = (allowed: boolean) =>
    admin.query(`alter database ${pg.escapeIdentifier(databaseName)} allow_connections ${allowed ? 'true' : 'false'}`);

  before(async () => {
    billing = await startBillingTestServer({ databaseProbeIntervalMs: 100, databaseProbeTimeoutMs: 1_000 });
    databaseName = decodeURIComponent(new URL(billing.databaseUrl).pathname.slice(1));
    admin = new pg.Client({ connectionString: process.env.TEST_ADMIN_DATABASE_URL });
    await admin.connect();
  });
  after(async () => {
    await allowConnections(true);
    await admin?.end();
    await billing?.close();
  });

  test('health turns NOT_SERVING while the database refuses connections, and SERVING once it accepts them again', async () => {
    assert.equal(await checkHealth(billing.server.address), 'SERVING');

    await allowConnections(false);
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [databaseName]);
    await waitForHealth(billing.server.address, 'NOT_SERVING');
    assert.equal(await checkHealth(billing.server.address, { service: 'billing.v1.BillingService' }), 'NOT_SERVING');

    await allowConnections(true);
    await waitForHealth(billing.server.address, 'SERVING');
  });
});
