/**
 * Assembles the billing gRPC server: BillingService, grpc.health.v1.Health and (optionally) server reflection,
 * over one database pool. Health says NOT_SERVING until the database is reachable and migrated, whenever the
 * periodic database probe fails, and again once shutdown begins.
 */
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import { sql } from 'kysely';
import { BillingServiceClient } from '../../proto/generated/billing.js';
import { billingServiceDefinition, createBillingHandlers } from './billing.grpc.js';
import { pingDatabase, startDatabaseProbe, type DatabaseProbe } from './database-probe.js';
import { createBillingDb, type BillingDb } from './db.js';
import { createLogger, type Logger } from './logger.js';
import { migrateBillingSchema } from './migrate.js';
import { createReflectionService } from './reflection.js';

export interface BillingServerOptions {
  databaseUrl: string;
  /** Defaults to localhost; a container binds 0.0.0.0. */
  host?: string;
  /** 0 picks a free port (tests); the chosen one is returned. */
  port: number;
  logger?: Logger;
  maxDatabaseConnections?: number;
  /** grpc.reflection.v1 for grpcurl and friends; production turns it off (BILLING_REFLECTION=false). Default true. */
  reflection?: boolean;
  /** How often the database is probed once serving (default 5 s), and how long one probe may take (default 2 s). */
  databaseProbeIntervalMs?: number;
  databaseProbeTimeoutMs?: number;
}

export interface RunningBillingServer {
  port: number;
  /** host:port to dial. */
  address: string;
  /** Stops accepting calls, lets in-flight ones finish for up to `graceMs`, then closes the database pool. */
  stop(graceMs?: number): Promise<void>;
}

const serverOptions: grpc.ServerOptions = {
  // Detect clients that vanished without closing (a frozen or killed Lambda container).
  'grpc.keepalive_time_ms': 60_000,
  'grpc.keepalive_timeout_ms': 20_000,
  // Recycle connections now and then so clients behind a layer-4 load balancer spread over new replicas.
  'grpc.max_connection_age_ms': 5 * 60_000,
  'grpc.max_connection_age_grace_ms': 30_000,
  'grpc.max_receive_message_length': 1024 * 1024,
};

export async function startBillingServer(options: BillingServerOptions): Promise<RunningBillingServer> {
  const logger = options.logger ?? createLogger();
  const host = options.host ?? 'localhost';
  const db = createBillingDb(options.databaseUrl, logger, options.maxDatabaseConnections);
  const health = new HealthImplementation({ '': 'NOT_SERVING', [BillingServiceClient.serviceName]: 'NOT_SERVING' });
  const setHealth = (status: ServingStatus): void => {
    health.setStatus('', status);
    health.setStatus(BillingServiceClient.serviceName, status);
  };
  let ready = false;
  let stopping: Promise<void> | undefined;
  let probe: DatabaseProbe | undefined;

  const server = new grpc.Server(serverOptions);
  health.addToServer(server);
  if (options.reflection ?? true) createReflectionService().addToServer(server);
  server.addService(billingServiceDefinition, createBillingHandlers({ db, logger, isReady: () => ready }));
  const port = await bindServer(server, `${host}:${options.port}`);

  const stop = (graceMs = 10_000): Promise<void> => {
    stopping ??= shutDown({ server, db, logger, graceMs, probe, markNotServing: () => setHealth('NOT_SERVING') });
    return stopping;
  };

  try {
    await waitForDatabase(db, logger, () => stopping !== undefined);
    const applied = await migrateBillingSchema(db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'billing schema migrated');
  } catch (err) {
    await stop(0);
    throw err;
  }
  ready = true;
  // A stop() during migration has already begun shutting down: neither SERVING nor a probe nobody would stop.
  if (stopping === undefined) {
    setHealth('SERVING');
    const probeTimeoutMs = options.databaseProbeTimeoutMs ?? 2_000;
    probe = startDatabaseProbe({
      check: () => pingDatabase(options.databaseUrl, probeTimeoutMs),
      intervalMs: options.databaseProbeIntervalMs ?? 5_000,
      onChange: (reachable, err) => {
        if (stopping) return;
        setHealth(reachable ? 'SERVING' : 'NOT_SERVING');
        if (reachable) logger.info('database reachable again: SERVING');
        else logger.error({ error: { message: err instanceof Error ? err.message : String(err) } }, 'database unreachable: NOT_SERVING');
      },
    });
  }
  logger.info({ host, port, reflection: options.reflection ?? true }, 'billing server serving');
  return { port, address: `${host}:${port}`, stop };
}

function bindServer(server: grpc.Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
  });
}

/** The database may come up after the server (compose, a restarting RDS): keep trying, with backoff. */
async function waitForDatabase(db: BillingDb, logger: Logger, isStopping: () => boolean): Promise<void> {
  for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 5_000)) {
    if (isStopping()) throw new Error('billing server stopped before its database became reachable');
    try {
      await sql`select 1`.execute(db);
      return;
    } catch (err) {
      logger.warn({ error: { message: err instanceof Error ? err.message : String(err) }, retryInMs: delayMs }, 'database not reachable yet');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

async function shutDown(steps: {
  server: grpc.Server;
  db: BillingDb;
  logger: Logger;
  graceMs: number;
  probe: DatabaseProbe | undefined;
  markNotServing(): void;
}): Promise<void> {
  const { server, db, logger, graceMs } = steps;
  logger.info({ graceMs }, 'billing server shutting down');
  steps.markNotServing();
  const probeStopped = steps.probe?.stop();
  await new Promise<void>((resolve) => {
    const force = setTimeout(() => {
      logger.warn({ graceMs }, 'grace period over: cancelling the calls still in flight');
      server.forceShutdown();
      resolve();
    }, graceMs);
    // Refuses new calls at once; the callback runs when the in-flight ones have finished.
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
  await probeStopped;
  await db.destroy();
  logger.info('billing server stopped');
}
