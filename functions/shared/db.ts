/**
 * One database handle per container, created on first use, pool sized for Lambda
 * (one request at a time per container: 1-2 connections).
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { config } from './config.js';
import { logger } from './logger.js';
import type { Database } from './db.schema.js';
import { resolveSecret } from './secrets.js';

// DATE columns stay 'YYYY-MM-DD' strings: a calendar date has no time zone to shift it.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);
// bigint identity columns fit comfortably in a JS number for this system's volumes.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

let instance: Kysely<Database> | undefined;

export function db(): Kysely<Database> {
  // The pool is created on the first query, once the (possibly fetched) database URL is known.
  const created = (instance ??= new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: async () => {
        try {
          return createPool(await resolveSecret('DATABASE_URL'), config.dbPoolMax);
        } catch (error) {
          // Kysely keeps a failed initialisation; forget this handle so the next request builds a new one.
          if (instance === created) instance = undefined;
          throw error;
        }
      },
    }),
  }));
  return created;
}

/** A handle on a given database (scripts and tests). */
export function createDb(connectionString: string, max = 2): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPool(connectionString, max) }) });
}

// Names the function in pg_stat_activity, so an operator sees who holds the connections.
const applicationName = (process.env.AWS_LAMBDA_FUNCTION_NAME ?? config.serviceName).slice(0, 63);

/**
 * No connection within 10 s means the database is saturated: the request fails with 503 and
 * Retry-After (problem.ts) before the function times out. (A refused connection, 53300, fails at once.)
 * In AWS a container serves one request at a time, so its pool never queues; serverless offline runs
 * every request of a function on one pool, where requests that hold a connection for a while (sign-ins
 * to one account are serialized) queue briefly.
 */
function createPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000, application_name: applicationName });
  // A connection the server closed (a restart, a terminated backend) emits 'error'; unhandled, it would
  // end the process. The next query simply opens a new connection.
  const lost = (error: Error) => logger.warn({ err: { type: error.name, code: (error as { code?: string }).code } }, 'database connection lost');
  pool.on('error', lost);
  // A connection held between queries (the relay keeps one for its whole run) reports its loss on the
  // client itself; the next query on it then fails and is handled like any other failed query.
  pool.on('connect', (client) => client.on('error', lost));
  return pool;
}

export async function closeDb(): Promise<void> {
  await instance?.destroy();
  instance = undefined;
}
