/**
 * Runs the billing server as a child process (node --import tsx billing-server/src/main.ts) and resolves once
 * its health check says SERVING. Used by dev/test orchestration and by fault tests that stop and restart it.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitUntilServing } from './src/health-client.js';

export interface SpawnBillingServerOptions {
  databaseUrl: string;
  /** A fixed port: the parent must know where to dial. */
  port: number;
  /** Where the child's JSON logs (stdout and stderr) are appended. */
  logFile: string;
  host?: string;
  startTimeoutMs?: number;
  /** Passed to the child as BILLING_SHUTDOWN_GRACE_MS. */
  shutdownGraceMs?: number;
}

export interface SpawnedBillingServer {
  pid: number;
  address: string;
  /** SIGTERM, then SIGKILL if the process has not exited after the grace period plus a margin. */
  stop(): Promise<void>;
  /** Resolves when the process exits, for whatever reason, with its exit code. */
  exited: Promise<number | null>;
}

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const mainFile = fileURLToPath(new URL('./src/main.ts', import.meta.url));

export async function spawnBillingServer(options: SpawnBillingServerOptions): Promise<SpawnedBillingServer> {
  const host = options.host ?? 'localhost';
  const shutdownGraceMs = options.shutdownGraceMs ?? 10_000;
  const log = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', mainFile], {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      BILLING_DATABASE_URL: options.databaseUrl,
      BILLING_HOST: host,
      BILLING_PORT: String(options.port),
      BILLING_SHUTDOWN_GRACE_MS: String(shutdownGraceMs),
    },
    stdio: ['ignore', log, log],
  });
  closeSync(log); // the child holds its own descriptor
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const address = `${host}:${options.port}`;
  const stop = async (): Promise<void> => {
    if (hasExited) return;
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), shutdownGraceMs + 5_000);
    await exited;
    clearTimeout(killTimer);
  };

  try {
    await waitUntilServing(address, { timeoutMs: options.startTimeoutMs ?? 30_000, isAbandoned: () => hasExited });
  } catch (err) {
    await stop();
    throw new Error(`billing server did not start (logs: ${options.logFile})`, { cause: err });
  }
  if (child.pid === undefined) throw new Error('billing server process has no pid');
  return { pid: child.pid, address, stop, exited };
}
