/**
 * For integration tests of the outbox relay with a billing destination: a fresh migrated database and a real billing
 * server over it, on a port of the test file's own, with the relay's configuration pointed at that server. The
 * outbox is emptied and billing started again before each test (a test may stop it).
 *
 * Await `useRelayBilling` at the top of the file, before anything loads functions/shared/config.ts: the relay reads
 * its configuration once, when its modules load.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { startBillingServer, type RunningBillingServer } from '../../billing-server/src/server.js';
import { createLogger } from '../../billing-server/src/logger.js';
import { freePort } from '../../billing-server/test/support/billing-test-server.js';
import type { Database } from '../../functions/shared/db.schema.js';
import { createMigratedTestDatabase } from './database.js';

export interface RelayBilling {
  /** The test's database (set once the file's `before` ran). */
  readonly db: Kysely<Database>;
  readonly url: string;
  startBilling(): Promise<void>;
  stopBilling(): Promise<void>;
}

export async function useRelayBilling(databasePrefix: string): Promise<RelayBilling> {
  const port = await freePort();
  process.env.BILLING_GRPC_ADDRESS = `localhost:${port}`;
  const { config } = await import('../../functions/shared/config.js');
  assert.equal(config.billing.grpcAddress, `localhost:${port}`, 'the relay dials this file\'s billing server');
  const { closeBillingClient } = await import('../../functions/billing/billing.client.js');

  let database: Awaited<ReturnType<typeof createMigratedTestDatabase>> | undefined;
  let server: RunningBillingServer | undefined;
  const ready = () => database ?? assert.fail('the test database is made in before()');
  const harness: RelayBilling = {
    get db() {
      return ready().db;
    },
    get url() {
      return ready().url;
    },
    async startBilling() {
      server = await startBillingServer({ databaseUrl: ready().url, port, logger: createLogger('silent') });
    },
    async stopBilling() {
      await server?.stop(1_000);
      server = undefined;
    },
  };

  before(async () => {
    database = await createMigratedTestDatabase(databasePrefix, 4);
    await harness.startBilling();
  });
  after(async () => {
    closeBillingClient();
    await harness.stopBilling();
    await database?.close();
  });
  beforeEach(async () => {
    await sql`truncate outbox`.execute(harness.db);
    if (!server) await harness.startBilling();
  });
  return harness;
}
