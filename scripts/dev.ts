/**
 * `npm run dev`: the whole system on this machine, state kept in .local/. Whatever ends it (Ctrl-C, SIGTERM,
 * SIGHUP, its terminal or parent going away, a crash of one of its services or of this script) stops everything
 * it started, also while it is still starting, so the next `npm run dev` finds its ports and files free.
 * DEV_PORT_OFFSET and DEV_STATE_DIR run a second one beside it (the tests of this script do).
 */
import { execFileSync } from 'node:child_process';
import { assertRunningDeployedNode } from './deployed-node.js';
import { startDevConsole, type ConsoleServer } from './local/console.js';
import { startStack, type Stack } from './local/stack.js';

assertRunningDeployedNode();
// A closed terminal or pipe must not turn a progress line into a crash halfway through stopping.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const offset = Number(process.env.DEV_PORT_OFFSET ?? 0);
if (!Number.isInteger(offset) || offset < 0) throw new Error(`DEV_PORT_OFFSET must be a whole number of ports, not "${process.env.DEV_PORT_OFFSET}"`);
const stateDir = process.env.DEV_STATE_DIR ?? '.local';
const ports = { http: 4000, lambda: 3002, postgres: 54320, kafka: 9092, billing: 9001, console: 5173 };
for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] += offset;

const starting = new AbortController();
const running: { stack?: Promise<Stack>; console?: ConsoleServer } = {};
let stopping: Promise<never> | undefined;
const shutdown = (why: string, exitCode: number) =>
  (stopping ??= (async () => {
    console.log(`\n${why}: stopping …`);
    // A start under way stops at its next step and stops what it started; a finished one is stopped here.
    starting.abort(new Error(why));
    await running.console?.stop().catch(() => undefined);
    await running.stack?.then((stack) => stack.stop(), () => undefined);
    console.log('Stopped.');
    process.exit(exitCode);
  })());

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal, 0));
process.on('uncaughtException', (error) => void shutdown(`unexpected error: ${error.stack ?? String(error)}`, 1));
process.on('unhandledRejection', (reason) => void shutdown(`unexpected error: ${String(reason)}`, 1));
// npm stays our parent; when it is gone (killed outright), nobody is left to stop us.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && void shutdown('the parent process ended', 0), 1_000).unref();

if (process.env.DEV_SKIP_GENERATE !== '1') execFileSync('npm', ['run', '--silent', 'generate'], { stdio: 'inherit' });

console.log('Starting PostgreSQL, Kafka, the billing server and serverless offline …');
running.stack = startStack({
  stateDir,
  persistent: true,
  ports,
  sweepSeconds: 5,
  startBilling: true,
  watch: true,
  signal: starting.signal,
  log: (line) => console.log(`[dev] ${line}`),
});
const stack = await running.stack.catch((error: unknown) => shutdown(`the stack did not start: ${error instanceof Error ? error.message : String(error)}`, 1));
if (stopping) await stopping;
void stack.unexpectedExit.then((name) => shutdown(`${name} exited unexpectedly (its log is in ${stateDir}/logs/)`, 1));
running.console = await startDevConsole(`http://localhost:${ports.http}`, ports.console);
stack.services.push({ name: 'Web console', where: `${running.console.url} (sign in as testuser@test.com / password123)` });

const width = Math.max(...stack.services.map((s) => s.name.length));
console.log('\nPatient management is running:');
for (const service of stack.services) console.log(`  ${service.name.padEnd(width)}  ${service.where}`);
console.log(`\n  Sign in: curl -s localhost:${ports.http}/auth/login -H "Content-Type: application/json" \\`);
console.log(`           -d '{"email":"testuser@test.com","password":"password123"}'`);
console.log(`  Reference: http://localhost:${ports.http}/api-docs   Logs: ${stateDir}/logs/   Stop: Ctrl-C\n`);
