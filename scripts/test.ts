/**
 * `npm test`: code generation, typecheck, lint, unit tests, the production `serverless package`,
 * then integration and end-to-end tests against a throwaway stack (embedded PostgreSQL, a real Kafka
 * broker, the gRPC billing server, serverless offline). Everything it starts, it stops.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { exampleDeploySettings } from './deploy/example-settings.js';
import { assertRunningDeployedNode } from './deployed-node.js';
import { buildConsole } from './local/console.js';
import { startStack, throwawayStateDir, type Stack } from './local/stack.js';
import { missingPrerequisites } from './test-prerequisites.js';

const step = (title: string) => console.log(`\n=== ${title} ===`);
const run = (command: string, args: string[], env: Record<string, string> = {}) =>
  execFileSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });

async function findTests(dir: string, matches: (file: string) => boolean): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && matches(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((file) => !file.includes('node_modules'))
    .sort();
}

function runTests(files: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
      stdio: 'inherit',
      env: { ...process.env, ...env },
    });
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

// `npm test -- test/e2e/events.test.ts …` runs only those files against the stack (for working on them);
// TEST_PORT_OFFSET lets two such runs share a machine.
const onlyFiles = process.argv.slice(2);
const portOffset = Number(process.env.TEST_PORT_OFFSET ?? 0);

assertRunningDeployedNode();
const missing = missingPrerequisites(onlyFiles);
if (missing.length > 0) {
  console.error(`npm test cannot run here yet (.ci/run installs all of these):\n${missing.map((line) => `  - ${line}`).join('\n')}`);
  process.exit(1);
}
console.log(`Node ${process.versions.node} (the functions deploy on the same major version)`);
step('generate code from proto/ and openapi.yaml');
run('npm', ['run', '--silent', 'generate']);
step('build the web console');
await buildConsole();
if (onlyFiles.length === 0) await staticChecksAndUnitTests();

async function staticChecksAndUnitTests() {
  step('typecheck');
  run('npm', ['run', '--silent', 'typecheck']);
  step('lint');
  run('npm', ['run', '--silent', 'lint']);

  const unitFiles = [
    ...(await findTests('functions', (f) => f.endsWith('.test.ts'))),
    ...(await findTests('billing-server/src', (f) => f.endsWith('.test.ts'))),
    ...(await findTests('scripts', (f) => f.endsWith('.test.ts'))),
  ];
  step(`unit tests (${unitFiles.length} files)`);
  const unitCode = await runTests(unitFiles, {});
  if (unitCode !== 0) process.exit(unitCode);
  step('web console unit tests (Vitest)');
  run('npm', ['run', '--silent', '--workspace', 'web', 'test']);

  // A deployed stage requires its settings; the packaging check gives it the documented fake ones.
  step('serverless package --stage prod (example settings)');
  run('node', ['node_modules/serverless/bin/serverless.js', 'package', '--stage', 'prod'], { SLS_TELEMETRY_DISABLED: '1', ...exampleDeploySettings });
}

step('start the test stack');
const state = await throwawayStateDir('pm-test-', '.local/test-logs');
const stateDir = state.dir;
// Ctrl-C: serverless offline runs in its own process group and would outlive us; stop everything in order.
const running: { stack?: Stack } = {};
let stopping: Promise<void> | undefined;
const stopAll = () =>
  (stopping ??= (async () => {
    step('stop the test stack');
    await running.stack?.stop();
    await state.remove();
  })());
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void stopAll().finally(() => process.exit(130)));
}
const ports = { http: 4400, lambda: 4402, postgres: 54330, kafka: 19092, billing: 19001 };
for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] += portOffset;
let exitCode = 1;
try {
  // startStack stops what it started when a later step fails; stopAll removes the state dir either way.
  const stack = await startStack({
    stateDir,
    persistent: false,
    ports,
    sweepSeconds: 2,
    startBilling: false,
    // Lower than production so the throttling tests stay short.
    extraEnv: { LOGIN_MAX_FAILURES: '5', LOGIN_MAX_FAILURES_PER_SOURCE: '30', LOG_LEVEL: 'info' },
    log: (line) => console.log(`[stack] ${line}`),
  });
  running.stack = stack;
  const integrationFiles = onlyFiles.length > 0 ? onlyFiles : [
    ...(await findTests('test', (f) => f.endsWith('.test.ts'))),
    ...(await findTests('billing-server/test', (f) => f.endsWith('.test.ts'))),
  ];
  step(`integration and end-to-end tests (${integrationFiles.length} files)`);
  exitCode = await runTests(integrationFiles, {
    API_URL: `http://localhost:${ports.http}`,
    LAMBDA_ENDPOINT: stack.env.LAMBDA_ENDPOINT!,
    TEST_ADMIN_DATABASE_URL: stack.env.POSTGRES_ADMIN_URL!,
    TEST_STACK_DATABASE_URL: stack.env.DATABASE_URL!,
    TEST_STACK_DIR: stateDir,
    KAFKA_BROKERS: stack.env.KAFKA_BROKERS!,
    TEST_KAFKA_PORT: String(ports.kafka),
    BILLING_GRPC_ADDRESS: stack.env.BILLING_GRPC_ADDRESS!,
    TEST_BILLING_PORT: String(ports.billing),
    TEST_KAFKA_DATA_DIR: path.join(stateDir, 'kafka'),
    JWT_ISSUER: stack.env.JWT_ISSUER!,
    LOGIN_MAX_FAILURES_PER_SOURCE: '30',
  });
} catch (error) {
  console.error(error);
} finally {
  await stopAll();
  if (exitCode !== 0) console.log('Service logs of this run: .local/test-logs/');
}
process.exit(exitCode);
