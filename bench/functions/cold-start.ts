/**
 * Cold starts: each packaged function imported and given its first event in `runs` fresh Node processes
 * (bench/functions/cold-start-child.mjs, no loader), one after another. Reported without the database
 * connection, which is the network's cost and the same for every design.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile } from '../stats.js';
import { firstEvent, type EventInputs } from './events.js';
import type { PackagedFunction } from './packaged.js';

const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cold-start-child.mjs');

export interface ColdStart {
  function: string;
  runs: number;
  /** Import + first event, database connection excluded. */
  medianMs: number;
  p90Ms: number;
  /** Import + first event less the time the first event waited on PostgreSQL, billing or Kafka: our own code. */
  ownMedianMs: number;
  ownP90Ms: number;
  waitedMedianMs: number;
  importMedianMs: number;
  dbConnectMedianMs: number;
  /** Status codes of the first events (e.g. "200×20"). */
  statuses: string;
}

interface ChildResult {
  importMs: number;
  firstEventMs: number;
  dbConnectMs: number;
  waitedMs: number;
  status: number | string;
}

function runChild(folder: string, fn: PackagedFunction, eventFile: string, env: Record<string, string>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    // BENCH_COLD_PROFILE_DIR=<dir> keeps a V8 CPU profile of every cold start (open in Chrome's DevTools).
    const profile = process.env.BENCH_COLD_PROFILE_DIR;
    const nodeArgs = profile ? ['--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${path.join(profile, fn.name)}`] : [];
    const child = spawn(process.execPath, [...nodeArgs, childScript, path.join(folder, fn.module), fn.exportName, eventFile], {
      cwd: folder,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const last = stderr.trim().split('\n').at(-1) ?? '';
      if (code === 0 && last.startsWith('{')) return resolve(JSON.parse(last) as ChildResult);
      reject(new Error(`${fn.name}: cold start exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);

export async function measureColdStarts(
  fn: PackagedFunction,
  folder: string,
  inputs: EventInputs,
  env: Record<string, string>,
  runs: number,
): Promise<ColdStart> {
  const eventsDir = await mkdtemp(path.join(os.tmpdir(), 'pm-cold-'));
  try {
    const results: ChildResult[] = [];
    for (let run = 0; run < runs; run++) {
      const eventFile = path.join(eventsDir, `${run}.json`);
      await writeFile(eventFile, JSON.stringify(await firstEvent(fn, inputs)));
      results.push(await runChild(folder, fn, eventFile, env));
    }
    const totals = results.map((r) => r.importMs + r.firstEventMs - r.dbConnectMs).sort((a, b) => a - b);
    const own = results.map((r) => r.importMs + r.firstEventMs - r.waitedMs).sort((a, b) => a - b);
    const statusCounts = new Map<string, number>();
    for (const r of results) statusCounts.set(String(r.status), (statusCounts.get(String(r.status)) ?? 0) + 1);
    return {
      function: fn.name,
      runs,
      medianMs: percentile(totals, 50),
      p90Ms: percentile(totals, 90),
      ownMedianMs: percentile(own, 50),
      ownP90Ms: percentile(own, 90),
      waitedMedianMs: median(results.map((r) => r.waitedMs)),
      importMedianMs: median(results.map((r) => r.importMs)),
      dbConnectMedianMs: median(results.map((r) => r.dbConnectMs)),
      statuses: [...statusCounts].map(([status, count]) => `${status}×${count}`).join(' '),
    };
  } finally {
    await rm(eventsDir, { recursive: true, force: true });
  }
}
