/**
 * The whole system on one machine, for `npm run dev` and `npm test`: PostgreSQL (embedded unless
 * DATABASE_URL is set), migrations and the dev seed, the dev signing key, a Kafka broker (unless
 * KAFKA_BROKERS is set), the gRPC billing server (unless BILLING_GRPC_ADDRESS is set), serverless
 * offline, the local Kafka event source for the analytics function, and the outbox sweep.
 */
import { createPublicKey } from 'node:crypto';
import { watch } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { spawnBillingServer } from '../../billing-server/launcher.js';
import { ensureTopics, startKafkaBroker, stopKafkaBrokerAt } from '../kafka/broker.js';
import { migrateToLatest } from '../migrate.js';
import { startKafkaEventSource } from './kafka-event-source.js';
import { startOffline, type OfflineHandle } from './offline.js';
import { forgetProcess, recordProcess, stopLeftovers } from './leftovers.js';
import { createStopList } from './stop-list.js';
import { dataDirThePostgresUserCanEnter, startPostgres } from './postgres.js';
import { seedDevUser } from './seed.js';
import { ensureDevSigningKey } from './signing-key.js';
import { isAlive } from './process-alive.js';

export interface StackPorts {
  http: number;
  lambda: number;
  postgres: number;
  kafka: number;
  billing: number;
}

export interface StackOptions {
  /** Where local state lives (.local for dev, a temp dir for tests). */
  stateDir: string;
  persistent: boolean;
  ports: StackPorts;
  /** Seconds between outbox sweeps (the local stand-in for the scheduled relay). */
  sweepSeconds: number;
  /** Start the billing server (tests start and stop their own, to inject outages). */
  startBilling: boolean;
  /** Rebuild the functions when their sources change (npm run dev). */
  watch?: boolean;
  extraEnv?: Record<string, string>;
  log: (line: string) => void;
  /**
   * Aborted (Ctrl-C while starting): the start stops at its next step, stops what it started and rejects
   * with the signal's reason.
   */
  signal?: AbortSignal;
}

export interface Stack {
  env: Record<string, string>;
  services: { name: string; where: string }[];
  /** Stopping order is the reverse of starting order. */
  stop(): Promise<void>;
  /** Resolves with a component's name when it exits on its own (a crash), not when stop() stops it. */
  unexpectedExit: Promise<string>;
}

/**
 * State for a stack that lives for one run (tests, benchmarks): a temp dir, removed afterwards, whose
 * services' logs are kept in `keepLogsIn` (the last run's only) for diagnosis.
 */
export async function throwawayStateDir(prefix: string, keepLogsIn: string) {
  await removeAbandonedStateDirs(prefix);
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await writeFile(path.join(dir, OWNER_FILE), String(process.pid));
  // The embedded PostgreSQL runs as the `postgres` user when we are root: it must reach its data dir.
  await chmod(dir, 0o755);
  return {
    dir,
    remove: async () => {
      await rm(keepLogsIn, { recursive: true, force: true });
      await cp(path.join(dir, 'logs'), keepLogsIn, { recursive: true }).catch(() => undefined);
      // A broker a test file started here (an interrupted test cannot stop its own) must be gone first.
      await stopBrokersUnder(dir);
      // A process that exited a moment ago may have flushed a last file (ENOTEMPTY): rm retries those.
      await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    },
  };
}

const OWNER_FILE = 'owner.pid';

/**
 * State dirs of earlier runs that were killed outright (SIGKILL, a lost terminal): their owner is gone.
 * Their services may still run: stop them, then remove the dir. Runs still alive (a parallel
 * `TEST_PORT_OFFSET` run) are left alone.
 */
async function removeAbandonedStateDirs(prefix: string): Promise<void> {
  for (const name of await readdir(os.tmpdir()).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const dir = path.join(os.tmpdir(), name);
    const owner = Number.parseInt(await readFile(path.join(dir, OWNER_FILE), 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && isAlive(owner)) continue;
    const started = await stat(dir).then((info) => info.mtimeMs).catch(() => Date.now());
    if (!Number.isInteger(owner) && Date.now() - started < 60_000) continue; // being created right now
    await stopBrokersUnder(dir);
    await stopLeftovers(dir, path.join(dir, 'postgres'));
    await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}


/** Stops every Kafka broker whose data dir is a folder of `dir` (the stack's, and those test files started). */
async function stopBrokersUnder(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) if (entry.isDirectory()) await stopKafkaBrokerAt(path.join(dir, entry.name)).catch(() => undefined);
}

/** The JWKS handlers verify tokens with: the public half of the (local-development) signing key. */
function publicJwksOf(privateKeyPem: string, kid: string): string {
  const jwk = createPublicKey(privateKeyPem).export({ format: 'jwk' });
  return JSON.stringify({ keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] });
}

export const SERVICE = 'patient-management';
export const functionName = (name: string) => `${SERVICE}-local-${name}`;

export async function startStack(options: StackOptions): Promise<Stack> {
  // Longer than any component's own stop (Kafka: 15 s, then SIGKILL), so none is still writing its state
  // when the caller removes it.
  const stops = createStopList({ log: options.log, timeoutMs: 30_000 });
  const services: Stack['services'] = [];
  let reportExit: (name: string) => void = () => undefined;
  const unexpectedExit = new Promise<string>((resolve) => (reportExit = resolve));
  /** A component's exit before stop() began, and not `expected` (a restart), is a crash. */
  const watchExit = (name: string, exited: Promise<unknown> | undefined, expected = () => false) =>
    void exited?.then(() => stops.stopping || expected() || reportExit(name));
  const started = () => options.signal?.throwIfAborted();
  const stop = stops.stopAll;
  const logs = path.join(options.stateDir, 'logs');
  await mkdir(logs, { recursive: true });
  const postgresDataDir = path.join(options.stateDir, 'postgres');
  const leftovers = await stopLeftovers(options.stateDir, process.env.DATABASE_URL ? undefined : dataDirThePostgresUserCanEnter(postgresDataDir));
  if (leftovers.length > 0) options.log(`stopped what an earlier run left running: ${leftovers.join(', ')}`);
  try {
    started();
    const postgres = await startPostgres({
      dataDir: postgresDataDir,
      port: options.ports.postgres,
      database: 'patient_management',
      persistent: options.persistent,
    });
    stops.add('postgres', postgres.stop);
    watchExit('PostgreSQL', postgres.exited);
    started();
    services.push({ name: 'PostgreSQL', where: redact(postgres.url) + (postgres.embedded ? ` (embedded, data in ${postgres.dataDir})` : '') });
    await migrateToLatest(postgres.url);
    await seedDevUser(postgres.url);

    const privateKey = process.env.JWT_PRIVATE_KEY ?? (await ensureDevSigningKey(path.join(options.stateDir, 'dev-signing-key.pem')));
    const publicJwks = process.env.JWT_PUBLIC_JWKS ?? publicJwksOf(privateKey, process.env.JWT_KEY_ID ?? 'local-dev');

    let brokers = process.env.KAFKA_BROKERS;
    if (!brokers) {
      const dataDir = path.join(options.stateDir, 'kafka');
      started();
      const kafka = await startKafkaBroker({ dataDir, port: options.ports.kafka });
      // A fault test may have stopped this broker and started another on the same data dir: stop whichever runs.
      stops.add('kafka', async () => {
        await kafka.stop();
        await stopKafkaBrokerAt(dataDir);
      });
      watchExit('Kafka', kafka.exited);
      brokers = kafka.brokers.join(',');
    }
    started();
    await ensureTopics(brokers.split(','), [{ topic: 'patient', numPartitions: 3 }]);
    services.push({ name: 'Kafka', where: `${brokers}${process.env.KAFKA_BROKERS ? '' : ' (local KRaft broker)'}` });

    let billingAddress = process.env.BILLING_GRPC_ADDRESS ?? (options.startBilling ? undefined : `localhost:${options.ports.billing}`);
    if (!billingAddress) {
      const billing = await spawnBillingServer({
        databaseUrl: postgres.socketUrl,
        port: options.ports.billing,
        logFile: path.join(logs, 'billing-server.log'),
      });
      stops.add('billing server', async () => {
        await billing.stop();
        await forgetProcess(options.stateDir, 'billing');
      });
      await recordProcess(options.stateDir, 'billing', { pid: billing.pid, group: false, marker: 'billing-server/src/main.ts' });
      watchExit('the billing server', billing.exited);
      billingAddress = billing.address;
      started();
    }
    services.push({ name: 'Billing gRPC', where: billingAddress });

    const issuer = `http://localhost:${options.ports.http}`;
    const lambdaEndpoint = `http://localhost:${options.ports.lambda}`;
    const env: Record<string, string> = {
      DATABASE_URL: postgres.url,
      JWT_PRIVATE_KEY: privateKey,
      JWT_PUBLIC_JWKS: publicJwks,
      JWT_ISSUER: issuer,
      KAFKA_BROKERS: brokers,
      BILLING_GRPC_ADDRESS: billingAddress,
      LAMBDA_ENDPOINT: lambdaEndpoint,
      // The local Lambda endpoint ignores credentials, but the AWS SDK wants some.
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      ...options.extraEnv,
    };
    const offlineOptions = {
      httpPort: options.ports.http,
      lambdaPort: options.ports.lambda,
      env: { ...env, DATABASE_URL: postgres.socketUrl },
      logFile: path.join(logs, 'offline.log'),
    };
    const running = { offline: await startOffline({ ...offlineOptions, signal: options.signal }) };
    // Its own process group: a signal to ours does not reach it, so a run killed outright leaves it behind.
    const record = (offline: OfflineHandle) =>
      recordProcess(options.stateDir, 'offline', { pid: offline.pid, group: true, marker: `--httpPort ${options.ports.http}` });
    await record(running.offline);
    const watchOffline = (offline: OfflineHandle) => watchExit('serverless offline', offline.exited, () => running.offline !== offline);
    watchOffline(running.offline);
    const stopWatching = options.watch
      ? restartOnChange(running, offlineOptions, options.log, async (offline) => {
          await record(offline);
          watchOffline(offline);
        })
      : () => undefined;
    stops.add('serverless offline', async () => {
      stopWatching();
      await running.offline.stop();
      await forgetProcess(options.stateDir, 'offline');
    });
    const { offline } = running;
    started();
    services.push({ name: 'HTTP API', where: offline.url }, { name: 'API reference', where: `${offline.url}/api-docs` });

    const eventSource = await startKafkaEventSource({
      brokers: brokers.split(','),
      topic: 'patient',
      groupId: 'patient-analytics',
      functionName: functionName('analyticsConsumer'),
      lambdaEndpoint,
      batchSize: 100,
      log: options.log,
    });
    stops.add('kafka event source', eventSource.stop);
    started();
    services.push({ name: 'Kafka → analytics', where: `topic patient → ${functionName('analyticsConsumer')}` });

    const sweep = startOutboxSweep(lambdaEndpoint, options.sweepSeconds, options.log);
    stops.add('outbox sweep', sweep);
    services.push({ name: 'Outbox sweep', where: `every ${options.sweepSeconds}s → ${functionName('outboxRelay')}` });

    return { env: { ...env, POSTGRES_ADMIN_URL: postgres.adminUrl }, services, stop, unexpectedExit };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * serverless offline runs the functions in its own process (useInProcess), where a rebuilt bundle cannot
 * replace a loaded module: after a change under functions/ it is restarted (bundling afresh), a few seconds.
 */
function restartOnChange(
  running: { offline: OfflineHandle },
  offlineOptions: Parameters<typeof startOffline>[0],
  log: (line: string) => void,
  onRestarted: (offline: OfflineHandle) => Promise<void>,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> = Promise.resolve();
  const watcher = watch('functions', { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      restarting = restarting.then(async () => {
        log('functions/ changed: restarting serverless offline …');
        const previous = running.offline;
        running.offline = { ...previous, stop: async () => undefined }; // being replaced: its exit is expected
        await previous.stop();
        running.offline = await startOffline(offlineOptions);
        await onRestarted(running.offline);
        log('serverless offline restarted');
      }).catch((error: unknown) => log(`restarting serverless offline failed: ${String(error)}`));
    }, 500);
  });
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}

/** The local stand-in for the relay's `schedule: rate(1 minute)`. */
function startOutboxSweep(lambdaEndpoint: string, seconds: number, log: (line: string) => void): () => Promise<void> {
  const lambda = new LambdaClient({
    endpoint: lambdaEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = lambda
      .send(new InvokeCommand({ FunctionName: functionName('outboxRelay'), InvocationType: 'RequestResponse' }))
      .then((result) => result.FunctionError && log(`outbox sweep: relay failed (${result.FunctionError})`))
      .catch((error: unknown) => log(`outbox sweep: ${String(error)}`));
  }, seconds * 1000);
  return async () => {
    clearInterval(timer);
    await running;
    lambda.destroy();
  };
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
