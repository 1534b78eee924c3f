/**
 * `npm run bench`: benchmarks, not tests. Starts the whole system on loopback (its own ports and a throwaway
 * state dir, so it can run beside `npm run dev`), measures billing gRPC (issue 3) and the event path (issue 4),
 * FHIR search on a million patients (issue 20), prints the summary and writes it to bench/results/latest.md. Bounded: a few minutes. Everything it starts,
 * it stops, also on Ctrl-C.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertRunningDeployedNode } from '../scripts/deployed-node.js';
import type { Stack } from '../scripts/local/stack.js';
import type { EventPathResults } from './report.js';
import { benchmarkConsole, CHROMIUM, consoleProblems, consoleSection } from './console.bench.js';

assertRunningDeployedNode();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsFile = path.join(root, 'bench/results/latest.md');
const ports = { http: 4700, lambda: 4702, postgres: 54370, kafka: 19792, billing: 19701 };
const benchStartedAt = performance.now();
const loadAtStart = os.loadavg();
const elapsed = () => `${((performance.now() - benchStartedAt) / 1_000).toFixed(0)} s`;
const step = (title: string) => console.log(`\n=== ${title} (${elapsed()}) ===`);

const benchRun: { state?: { dir: string; remove(): Promise<void> } } = {}; // set once created; read by cleanUp
let stackStarting: Promise<Stack> | undefined;
let eventsChild: ChildProcess | undefined;
let dropBillingDatabase: (() => Promise<void>) | undefined;
let cleaningUp: Promise<void> | undefined;
let interrupted = false;

/** Stops what this run started, in reverse order; keeps the service logs of the last run in .local/bench-logs. */
function cleanUp(): Promise<void> {
  cleaningUp ??= (async () => {
    if (eventsChild && eventsChild.exitCode === null) eventsChild.kill('SIGTERM');
    await dropBillingDatabase?.().catch(() => undefined);
    // Interrupted during start-up, startStack stops what it started itself when its next step fails.
    const stack = await stackStarting?.catch(() => undefined);
    if (stack) {
      console.log('stopping the stack …');
      await stack.stop();
    }
    await benchRun.state?.remove();
  })();
  return cleaningUp;
}

const onSignal = (signal: NodeJS.Signals) => {
  if (cleaningUp) return; // Ctrl-C reaches us twice: from the terminal and relayed by the tsx launcher
  interrupted = true;
  console.log(`\n${signal}: stopping …`);
  void cleanUp().finally(() => {
    console.log(`stopped after ${elapsed()}`);
    process.exit(130);
  });
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

// proto/generated and the OpenAPI JSON are not committed; the modules below import them.
step('generate code from proto/ and openapi.yaml');
execFileSync('npm', ['run', '--silent', 'generate'], { cwd: root, stdio: 'inherit' });
const { startStack, throwawayStateDir } = await import('../scripts/local/stack.js');
const { dropDatabase, ensureDatabase, withDatabase } = await import('../scripts/local/postgres.js');
const { benchmarkBilling, billingBenchSettings } = await import('./billing.bench.js');
const { billingSection, eventPathSection, machineInfo, problemsOf } = await import('./report.js');
const { benchmarkLoad, loadProblems, loadSection, loadSettings } = await import('./load.bench.js');
const { LOCAL_MAX_CONNECTIONS } = await import('../scripts/local/postgres.js');
const { functionsSection } = await import('./functions.bench.js');
const { benchmarkFhirScale, fhirScaleProblems, fhirScaleSection, fhirScaleSettings } = await import('./fhir-scale.bench.js');
// `npm run bench -- load` (or functions, console, fhir-scale) runs only the named section(s) and leaves bench/results/latest.md alone.
const only = new Set(process.argv.slice(2));
// The console section comes last: a missing browser would otherwise throw away the whole run's results.
if ((only.size === 0 || only.has('console')) && !existsSync(CHROMIUM)) {
  console.error(`No browser at ${CHROMIUM} for the web console's section: apt-get install chromium (or set CHROME_PATH).`);
  process.exit(1);
}

const benchState = await throwawayStateDir('pm-bench-', path.join(root, '.local/bench-logs'));
benchRun.state = benchState;
const benchDir = benchState.dir;
const stackLog = path.join(benchDir, 'logs', 'bench-stack.log');

/** Runs bench/events.bench.ts in a child with the stack's environment (the functions' config is read at import). */
function runEventPath(env: Record<string, string>, jsonFile: string): Promise<EventPathResults> {
  return new Promise((resolve, reject) => {
    eventsChild = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/events.bench.ts')], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...env, BENCH_RESULTS_FILE: jsonFile },
    });
    eventsChild.once('error', reject);
    eventsChild.once('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`the event path benchmark exited with ${signal ?? code}`));
      readFile(jsonFile, 'utf8').then((text) => resolve(JSON.parse(text) as EventPathResults), reject);
    });
  });
}

/** A partial run keeps its own file (bench/results/latest-load.md …); latest.md is the last whole run. */
const resultsFileOfThisRun = () => (only.size > 0 ? path.join(path.dirname(resultsFile), `latest-${[...only].sort().join('-')}.md`) : resultsFile);
const partialFile = () => resultsFileOfThisRun().replace(/\.md$/, '.partial.md');

/** The sections measured so far, in the order they ran (the order of the report), and what went wrong in them. */
const measured: { sections: string[]; problems: string[] } = { sections: [], problems: [] };

/** The heading, then every section measured, then what went wrong in them: a bad run can neither hide nor pass for a good one. */
function report(heading: string[]): string {
  const body = [...heading, '', ...measured.sections.flatMap((section) => [section, ''])].join('\n');
  const { problems } = measured;
  return problems.length > 0 ? `${body}\n## Problems in this run\n\n${problems.map((p) => `- ${p}`).join('\n')}\n` : body;
}

/**
 * Adds a finished section and writes everything measured so far to latest….partial.md (removed when the
 * run completes): a run that fails later, or is stopped, keeps what it measured.
 */
async function finished(name: string, section: string, problems: string[] = []): Promise<void> {
  measured.sections.push(section);
  measured.problems.push(...problems);
  await mkdir(path.dirname(resultsFile), { recursive: true });
  const note = `Written after the ${name} section; a later section did not finish.`;
  await writeFile(partialFile(), report(['# Benchmarks (`npm run bench`), incomplete run', '', note, '', machineInfo(loadAtStart)]));
}

let failed = true;
try {
  step('start the stack: PostgreSQL, Kafka, billing server, serverless offline, Kafka → analytics');
  await mkdir(path.dirname(stackLog), { recursive: true });
  stackStarting = startStack({
    stateDir: benchDir,
    persistent: false,
    ports,
    // As `npm run dev`: the sweep only catches what a relay kick missed.
    sweepSeconds: 5,
    startBilling: true,
    // Logging as `npm run dev` does (info: a line per request), so the figures are what a developer gets.
    log: (line) => {
      if (/fail|error/i.test(line)) console.log(`[stack] ${line}`);
      void appendFile(stackLog, `${new Date().toISOString()} ${line}\n`).catch(() => undefined);
    },
  });
  const stack = await stackStarting;
  for (const service of stack.services) console.log(`  ${service.name}: ${service.where}`);

  const adminUrl = stack.env.POSTGRES_ADMIN_URL as string;
  const knownSections = ['load', 'functions', 'console', 'identity', 'fhir-scale'];
  const unknownSections = [...only].filter((name) => !knownSections.includes(name));
  if (unknownSections.length > 0) throw new Error(`unknown benchmark section(s): ${unknownSections.join(', ')} (known: ${knownSections.join(', ')})`);
  // Cold starts first, on a quiet machine: after the load, PostgreSQL's autovacuum and the services' own
  // clean-up share the cores for minutes and would stretch every fresh process.
  if (only.size === 0 || only.has('functions')) {
    step('functions (issue 10): bundle sizes, cold starts in fresh processes, warm handlers beside bare pg');
    await finished('functions', await functionsSection({ adminUrl, billingAddress: stack.env.BILLING_GRPC_ADDRESS, workDir: benchDir, log: (line) => console.log(line) }));
  }

  if (only.size === 0) {
    step(`billing gRPC: ${billingBenchSettings.callsPerOperation} calls per operation, ${billingBenchSettings.concurrency} in flight`);
    const billingDatabase = `bench_billing_${randomBytes(4).toString('hex')}`;
    await ensureDatabase(adminUrl, billingDatabase);
    dropBillingDatabase = () => dropDatabase(adminUrl, billingDatabase);
    await finished('billing', billingSection(await benchmarkBilling(withDatabase(adminUrl, billingDatabase)), billingBenchSettings));

    step('event path: commit → analytics latency, outbox relay and kafkajs events per second');
    const eventPath = await runEventPath(
      { ...stack.env, API_URL: `http://localhost:${ports.http}`, LOG_LEVEL: 'warn' },
      path.join(benchDir, 'event-path.json'),
    );
    await finished('event path', eventPathSection(eventPath), problemsOf(eventPath));
  }

  if (only.size === 0 || only.has('load')) {
    step(`sustained load and single routes (issue 7): ${loadSettings.connections} connections for ${loadSettings.seconds} s (BENCH_LOAD_SECONDS)`);
    const load = await benchmarkLoad(
      { baseUrl: `http://localhost:${ports.http}`, databaseUrl: stack.env.DATABASE_URL!, adminDatabaseUrl: adminUrl, stateDir: benchDir, connectionCap: LOCAL_MAX_CONNECTIONS },
      (line) => console.log(line),
    );
    await finished('load', loadSection(load), loadProblems(load));
  }

  if (only.size === 0 || only.has('console')) {
    step('web console (issue 9): JavaScript of the sign-in page, Lighthouse scores');
    const webConsole = await benchmarkConsole(`http://localhost:${ports.http}`, ports.http + 10, path.join(benchDir, 'logs', 'lighthouse'), (line) => console.log(line));
    await finished('console', consoleSection(webConsole), consoleProblems(webConsole));
  }

  if (only.size === 0 || only.has('identity')) {
    step('duplicate matching on the generated corpus (issue 21)');
    const { benchmarkIdentity } = await import('./identity.bench.js');
    const identity = await benchmarkIdentity(adminUrl);
    const goals = [
      ...(identity.precision < 0.98 ? [`duplicate matching: precision ${identity.precision.toFixed(3)} < 0.98`] : []),
      ...(identity.recall < 0.9 ? [`duplicate matching: recall ${identity.recall.toFixed(3)} < 0.90`] : []),
    ];
    await finished('identity', `## Duplicate matching on the generated corpus (issue 21)\n\n${identity.report}`, goals);
  }

  // Last: the million patients it seeds stay in the stack's database and would change what a later section measures.
  if (only.size === 0 || only.has('fhir-scale')) {
    step(`FHIR search at scale (issue 20): ${fhirScaleSettings.patients} patients (BENCH_FHIR_PATIENTS), searches at ${fhirScaleSettings.connections} connections`);
    const fhirScale = await benchmarkFhirScale(
      { baseUrl: `http://localhost:${ports.http}`, databaseUrl: stack.env.DATABASE_URL!, env: stack.env, workDir: benchDir },
      stack.env.MRN_SYSTEM || 'https://patient-management.dev/fhir/sid/mrn',
      (line) => console.log(line),
    );
    await finished('fhir-scale', fhirScaleSection(fhirScale), fhirScaleProblems(fhirScale));
  }

  step('summary');
  const summary = report(['# Benchmarks (`npm run bench`)', '', machineInfo(loadAtStart), `- run time until this summary (code generation and stack start included): ${elapsed()}`]);
  console.log(`\n${summary}`);
  await writeFile(resultsFileOfThisRun(), summary);
  await rm(partialFile(), { force: true });
  const { problems } = measured;
  console.log(`written to ${path.relative(root, resultsFileOfThisRun())}${problems.map((p) => `\n  - problem: ${p}`).join('')}`);
  failed = problems.length > 0;
} catch (error) {
  // On Ctrl-C the event path child dies with the rest: that is no failure to report.
  if (!interrupted) throw error;
} finally {
  await cleanUp();
  console.log(`done in ${elapsed()}; service logs of this run: .local/bench-logs/`);
}
process.exit(interrupted ? 130 : failed ? 1 : 0);
