/**
 * The local Apache Kafka broker behind `npm run dev` and the integration tests: one KRaft node (broker and
 * controller in one JVM) run straight from Kafka's jars, which Maven resolves from scripts/kafka/pom.xml into
 * .cache/kafka/<version>/libs (install.ts), configured by broker-config.ts. Run directly it is a CLI:
 *   tsx scripts/kafka/broker.ts start --data-dir .local/kafka [--port 9092] [--controller-port 9093]
 *   tsx scripts/kafka/broker.ts stop --data-dir .local/kafka
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createKafka, type TopicSpec } from '../../functions/shared/kafka.js';
import { brokerPaths, clusterId, jvmOptions, log4jProperties, pidFilePath, serverProperties } from './broker-config.js';
import { classSharingFor, ensureKafkaInstalled, pinnedKafkaVersion, runQuietly } from './install.js';
import { isAlive } from '../local/process-alive.js';

export { ensureKafkaInstalled, pinnedKafkaVersion };

export interface StartKafkaBrokerOptions {
  dataDir: string;
  /** Client listener; default 9092. */
  port?: number;
  /** KRaft controller listener; default port + 1. */
  controllerPort?: number;
  /**
   * Let the broker outlive this process (a fault test restarting the test stack's broker); whoever
   * owns the data dir stops it later with stopKafkaBrokerAt().
   */
  detached?: boolean;
  /**
   * A second client listener asking what the deployed cluster asks (serverless.yml): SASL/SCRAM-SHA-512 over
   * TLS, for these users, with the broker's key and certificate from a PKCS#12 keystore. The first listener
   * stays plaintext without sign-in (topics are created through it).
   */
  saslSsl?: SaslSslListener;
}

export interface SaslSslListener {
  port: number;
  users: { username: string; password: string }[];
  keystore: { path: string; password: string };
}

export interface KafkaBrokerHandle {
  brokers: string[];
  pid: number;
  stop(): Promise<void>;
  /** Resolves when the JVM exits, for whatever reason, with its exit code (143 after a SIGTERM). */
  exited: Promise<number | null>;
}

const readyTimeoutMs = 60_000;
const stopTimeoutMs = 15_000;

export async function startKafkaBroker(options: StartKafkaBrokerOptions): Promise<KafkaBrokerHandle> {
  const { stop, brokers, pid, exited } = await launchBroker(options);
  return { brokers, pid, stop, exited };
}

/** Stops a broker started by another process on dataDir (found through its pid file); no-op if none runs. */
export async function stopKafkaBrokerAt(dataDir: string): Promise<void> {
  const pid = runningBrokerPid(resolve(dataDir));
  if (pid !== undefined) await terminate(pid, untilGone(pid));
  await rm(pidFilePath(resolve(dataDir)), { force: true });
}

export async function ensureTopics(brokers: string[], topics: TopicSpec[]): Promise<void> {
  await createKafka(brokers, 'local-broker-admin').ensureTopics(topics);
}

async function launchBroker(options: StartKafkaBrokerOptions): Promise<KafkaBrokerHandle> {
  const dataDir = resolve(options.dataDir);
  const port = options.port ?? 9092;
  const controllerPort = options.controllerPort ?? port + 1;
  const alreadyRunning = runningBrokerPid(dataDir);
  if (alreadyRunning !== undefined) {
    throw new Error(`A Kafka broker (pid ${alreadyRunning}) already uses ${dataDir}; stop it first: ` +
      `npx tsx scripts/kafka/broker.ts stop --data-dir ${options.dataDir}`);
  }

  // Checked up front: a readiness probe would otherwise get its answer from whatever already listens there.
  for (const taken of [port, controllerPort, ...(options.saslSsl ? [options.saslSsl.port] : [])]) await assertPortFree(taken);
  const libsDir = await ensureKafkaInstalled();
  const paths = brokerPaths(dataDir);
  await mkdir(paths.logsDir, { recursive: true });
  await writeFile(paths.serverProperties, serverProperties(port, controllerPort, paths.kraftDir, options.saslSsl));
  await writeFile(paths.log4jProperties, log4jProperties(paths.logsDir));
  const classSharing = classSharingFor(libsDir);
  const java = (mainClass: string, args: string[], sharing: string[]): string[] =>
    [...jvmOptions(paths), ...sharing, '-cp', `${libsDir}/*`, mainClass, ...args];
  if (!existsSync(join(paths.kraftDir, 'meta.properties'))) {
    // SCRAM users live in the cluster metadata: KRaft takes them when the storage is formatted.
    const scramUsers = (options.saslSsl?.users ?? []).flatMap(({ username, password }) =>
      ['--add-scram', `SCRAM-SHA-512=[name=${username},password=${password}]`]);
    const format = ['format', '-t', clusterId, '-c', paths.serverProperties, ...scramUsers];
    await runQuietly('java', java('kafka.tools.StorageTool', format, classSharing.use));
  }

  // The JVM's own stdout/stderr (the broker itself logs through log4j) go to a file, never to our console.
  const consoleFd = openSync(paths.consoleLog, 'a');
  const brokerArgs = java('kafka.Kafka', [paths.serverProperties], classSharing.useOrRecord);
  const child = spawn('java', brokerArgs, { stdio: ['ignore', consoleFd, consoleFd], detached: options.detached ?? false });
  if (options.detached) child.unref();
  closeSync(consoleFd);
  // 'error' instead of 'exit' when java cannot be started at all.
  const exited = new Promise<number | null>((resolveExit) =>
    child.once('exit', (code) => resolveExit(code)).once('error', () => resolveExit(null)))
    .then(async (code) => {
      await classSharing.keepRecording(code === 0 || code === 143);
      return code;
    });
  const pid = child.pid;
  if (pid === undefined) throw new Error('java could not be started: is Java 17+ on the PATH?');
  await writeFile(paths.pidFile, `${pid}\n`);
  // If this process ends without stop() (a crashed test run), the broker must not outlive it.
  const stopOnExit = (): void => void child.kill('SIGTERM');
  if (!options.detached) process.once('exit', stopOnExit);

  const brokers = [`127.0.0.1:${port}`];
  const stop = async (): Promise<void> => {
    process.removeListener('exit', stopOnExit);
    if (child.exitCode === null && child.signalCode === null) await terminate(pid, exited);
    await rm(paths.pidFile, { force: true });
  };
  try {
    await waitUntilAnswering(brokers, exited);
  } catch (error) {
    await stop();
    const logTail = (await readFile(paths.serverLog, 'utf8').catch(() => '')).split('\n').slice(-30).join('\n');
    throw new Error(`Kafka broker on ${brokers[0]} did not start: ${(error as Error).message}\n${logTail}`);
  }
  return { brokers, pid, stop, exited };
}

/**
 * Ready means what a client needs: the cluster metadata answers and an idempotent producer gets its producer id
 * (for a moment after the metadata, the broker still answers "coordinator loading", which a fail-fast producer
 * with few retries would report as an error).
 */
async function waitUntilAnswering(brokers: string[], exited: Promise<unknown>): Promise<void> {
  const client = createKafka(brokers, 'local-broker-probe', { logLevel: 'nothing', retries: 0, connectionTimeoutMs: 500 });
  const probe = async (): Promise<void> => {
    await client.describeCluster();
    const producer = client.producer();
    try {
      await producer.connect();
    } finally {
      await producer.disconnect();
    }
  };
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (hasExited) throw new Error('the JVM exited');
    try {
      await probe();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`no answer within ${readyTimeoutMs / 1000} s (${(error as Error).message})`);
      await sleep(100);
    }
  }
}

/** SIGTERM lets Kafka flush and close its logs; SIGKILL only when that takes longer than stopTimeoutMs. */
async function terminate(pid: number, exited: Promise<unknown>): Promise<void> {
  signal(pid, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolveTimeout) => (timer = setTimeout(() => resolveTimeout(false), stopTimeoutMs)));
  const inTime = await Promise.race([exited.then(() => true), timedOut]);
  clearTimeout(timer); // a pending timer would keep this process alive for the full timeout
  if (!inTime) {
    signal(pid, 'SIGKILL');
    await exited;
  }
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolveFree, rejectTaken) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      rejectTaken(new Error(`127.0.0.1:${port} is already in use (${error.code}); is another Kafka broker running there?`)));
    server.listen({ host: '127.0.0.1', port }, () => server.close(() => resolveFree()));
  });
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // ESRCH: already gone
  }
}

async function untilGone(pid: number): Promise<void> {
  while (isAlive(pid)) await sleep(100);
}

/** The pid in dataDir's pid file if that process is still a Kafka broker on dataDir (pids get reused). */
function runningBrokerPid(dataDir: string): number | undefined {
  const pid = Number.parseInt(readFileSafely(pidFilePath(dataDir)), 10);
  if (!Number.isInteger(pid) || !isAlive(pid)) return undefined;
  const commandLine = readFileSafely(`/proc/${pid}/cmdline`);
  if (existsSync('/proc') && !commandLine.includes(join(dataDir, 'server.properties'))) return undefined;
  return pid;
}

function readFileSafely(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string', default: '.local/kafka' },
      port: { type: 'string', default: '9092' },
      'controller-port': { type: 'string' },
    },
  });
  const dataDir = values['data-dir'];
  if (positionals[0] === 'stop') return stopKafkaBrokerAt(dataDir);
  if (positionals[0] !== 'start') throw new Error('usage: broker.ts start|stop [--data-dir DIR] [--port N] [--controller-port N]');

  const startedAt = Date.now();
  const controllerPort = values['controller-port'] === undefined ? undefined : Number(values['controller-port']);
  const broker = await launchBroker({ dataDir, port: Number(values.port), controllerPort });
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  console.log(`Kafka ${pinnedKafkaVersion()} ready on ${broker.brokers.join(',')} in ${seconds} s ` +
    `(pid ${broker.pid}, log ${join(resolve(dataDir), 'logs', 'server.log')}); Ctrl-C stops it`);
  const stopRequested = new Promise<string>((resolveSignal) => {
    // on, not once: Ctrl-C reaches us twice (from the terminal and relayed by tsx); a second, unhandled one would kill us.
    for (const name of ['SIGINT', 'SIGTERM'] as const) process.on(name, () => resolveSignal(name));
  });
  const ended = await Promise.race([stopRequested, broker.exited]);
  await broker.stop();
  // 143 = stopped by a SIGTERM from elsewhere (`broker.ts stop`), which is a clean end too.
  if (typeof ended !== 'string' && ended !== 0 && ended !== 143) {
    throw new Error(`the Kafka broker exited unexpectedly (code ${ended}); see its log`);
  }
  console.log('Kafka broker stopped');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}