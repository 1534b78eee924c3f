/** The billing server's database handle: one Kysely over one pg pool for the whole process. */
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { BillingDatabase } from './billing.tables.js';
import type { Logger } from './logger.js';

export type BillingDb = Kysely<BillingDatabase>;
/** What repositories take, so the caller decides whether a write joins a transaction. */
export type BillingExecutor = Kysely<BillingDatabase> | Transaction<BillingDatabase>;

export function createBillingDb(databaseUrl: string, logger: Logger, maxConnections = 10): BillingDb {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: maxConnections, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection emits 'error' on the pool; unhandled, it would crash the server.
  pool.on('error', (err) => logger.warn({ error: { message: err.message } }, 'idle database connection failed'));
  return new Kysely<BillingDatabase>({ dialect: new PostgresDialect({ pool }) });
}
