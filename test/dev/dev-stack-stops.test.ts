/**
 * `npm run dev` stops everything it started whatever stops it (issue 18): a signal to its process group at any
 * moment, a crash of one of its services, or being killed outright (then the next run clears what was left).
 */
import assert from 'node:assert/strict';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dataDirThePostgresUserCanEnter } from '../../scripts/local/postgres.js';
import { DEV_HTTP, newStateDir, portsInUse, processesOf, startDev, untilNothingLeft, type DevRun } from '../support/dev-stack.js';

const RUNNING = 'Patient management is running';
const runs: DevRun[] = [];
const start = async (stateDir?: string) => {
  const run = startDev(stateDir ?? (await newStateDir()));
  runs.push(run);
  return run;
};
// A failed test must not leave a stack behind for the next one, nor its data: as root, a run's PostgreSQL data
// lives outside its (private) state dir, in /var/lib/patient-management, where npm test would not remove it.
after(async () => {
  for (const run of runs) if ((await processesOf(run)).length > 0) run.signalGroup('SIGKILL');
  for (const stateDir of new Set(runs.map((run) => run.stateDir))) {
    await untilPostgresIsGone(stateDir);
    await rm(dataDirThePostgresUserCanEnter(path.join(stateDir, 'postgres')), { recursive: true, force: true });
  }
});

async function answers(): Promise<boolean> {
  return fetch(`${DEV_HTTP}/.well-known/openid-configuration`).then((response) => response.ok, () => false);
}

describe('npm run dev stops everything it started', () => {
  // Otherwise "every port free afterwards" would say nothing about this run.
  before(async () => assert.deepEqual(await portsInUse(), [], 'npm run dev\'s ports were taken before the tests began'));

  // SIGINT (Ctrl-C) is tested while the stack is still starting, below: the harder moment.
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    test(`${signal} to its process group once it runs stops every service, serverless offline included`, async () => {
      const run = await start();
      await run.waitFor(RUNNING);
      assert.ok(await answers(), 'the API answers while it runs');
      run.signalGroup(signal);
      await run.waitFor('Stopped.');
      await untilNothingLeft(run);
    });
  }

  test('Ctrl-C while serverless offline is still starting stops it and everything started before it', async () => {
    const run = await start();
    await untilOfflineIsStarting(run);
    run.signalGroup('SIGINT');
    await run.waitFor('Stopped.');
    assert.doesNotMatch(run.output(), new RegExp(RUNNING));
    await untilNothingLeft(run);
  });

  test('a service that crashes stops the whole run with an error, and leaves nothing behind', async () => {
    const run = await start();
    await run.waitFor(RUNNING);
    const billing = JSON.parse(await readFile(path.join(run.stateDir, 'run', 'billing.pid'), 'utf8')) as { pid: number };
    process.kill(billing.pid, 'SIGKILL');
    await run.waitFor('the billing server exited unexpectedly');
    assert.equal(await run.exited, 1);
    await untilNothingLeft(run);
  });

  test('after a run killed outright, the next run stops what it left and starts cleanly on the same state', async () => {
    const stateDir = await newStateDir();
    const killed = await start(stateDir);
    await killed.waitFor(RUNNING);
    // Only npm and the dev script: PostgreSQL, Kafka, the billing server and serverless offline live on.
    process.kill(await devScriptPid(killed), 'SIGKILL');
    process.kill(killed.group, 'SIGKILL');
    await killed.exited;

    const next = await start(stateDir);
    await next.waitFor(RUNNING);
    assert.match(next.output(), /stopped what an earlier run left running: .*billing/);
    assert.ok(await answers());
    next.signalGroup('SIGTERM');
    await next.waitFor('Stopped.');
    await untilNothingLeft(next);
  });
});

/** serverless offline's process is there, but the stack has not recorded it yet (it records once it answers). */
async function untilOfflineIsStarting(run: DevRun): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if ((await processesOf(run)).some((line) => line.includes('offline-process.mjs'))) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`serverless offline never started:\n${run.output().slice(-2_000)}`);
}

async function devScriptPid(run: DevRun): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (new RegExp(`^PPid:\\s+${run.group}$`, 'm').test(status) && commandLine.includes('scripts/dev.ts')) return Number(entry);
  }
  throw new Error('the dev script is not running');
}

/** A SIGKILLed run's PostgreSQL ends on its own once its clients are gone; its data is removed only after that. */
async function untilPostgresIsGone(stateDir: string): Promise<void> {
  const postmaster = path.join(dataDirThePostgresUserCanEnter(path.join(stateDir, 'postgres')), 'postmaster.pid');
  for (let waited = 0; waited < 30_000; waited += 250) {
    const pid = Number.parseInt(await readFile(postmaster, 'utf8').catch(() => ''), 10);
    if (!Number.isInteger(pid)) return;
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
