/**
 * Issue 7's load benchmark, on the same stack `npm run dev` runs: sustained mixed traffic of 50 members
 * of staff (BENCH_LOAD_SECONDS, 600 by default), then single-route scenarios of 2,000 requests over 10
 * connections beside the Java original's figures, memory of every process over time, the most database
 * connections seen, and whether everything adds up afterwards.
 */
import type { Request } from 'autocannon';
import pg from 'pg';
import { integrityProblems, readIntegrity, settle, type Integrity } from './load/integrity.js';
import { startSamplerProcess, type MemorySample } from './load/processes.js';
import { DEV_ADMIN, mixedTraffic, patientBody, scenario, uniqueSuffix, type RouteStats, type ScenarioResult, type StaffAccount } from './load/traffic.js';
import { markdownTable } from './report.js';
import { percentile } from './stats.js';

export const loadSettings = {
  seconds: Number(process.env.BENCH_LOAD_SECONDS ?? 600),
  connections: 50,
  scenarioRequests: 2000,
  scenarioConnections: 10,
};

export interface LoadResults {
  settings: typeof loadSettings;
  requests: number;
  unanswered: number;
  byRoute: { route: string; requests: number; p50: number; p95: number; p99: number; statuses: Record<string, number> }[];
  memory: MemorySample[];
  maxConnections: number;
  connectionCap: number;
  afterLoad: Integrity;
  settledInMs: number;
  scenarios: ScenarioResult[];
  afterScenarios: Integrity;
}

interface Target {
  baseUrl: string;
  databaseUrl: string;
  adminDatabaseUrl: string;
  stateDir: string;
  connectionCap: number;
}

async function signIn(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(DEV_ADMIN) });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** One clinician account per connection: staff sign in as themselves, not all as one account. */
async function staffAccounts(baseUrl: string, count: number): Promise<StaffAccount[]> {
  const token = await signIn(baseUrl);
  const run = Date.now().toString(36);
  const accounts = Array.from({ length: count }, (_, i) => ({ email: `staff${i}.${run}@bench.clinic.test`, password: 'bench password 123' }));
  for (const account of accounts) {
    const response = await fetch(`${baseUrl}/api/users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...account, role: 'clinician' }),
    });
    if (response.status !== 201) throw new Error(`creating a staff account failed: ${response.status}`);
  }
  return accounts;
}

function routeTable(byRoute: Record<string, RouteStats>) {
  return Object.entries(byRoute).map(([route, stats]) => {
    const sorted = [...stats.latenciesMs].sort((a, b) => a - b);
    return { route, requests: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), statuses: stats.statuses };
  });
}

async function liveIds(databaseUrl: string, namePrefix: string, limit: number): Promise<{ id: string; version: number }[]> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-sampler' });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; version: number }>(
      'select id, version from patients where deleted_at is null and name like $1 order by seq limit $2',
      [`${namePrefix}%`, limit],
    );
    return rows;
  } finally {
    await client.end();
  }
}

/**
 * Point 6: each route alone, after a warm-up, as the Java original was measured. The system settles
 * (outbox drained, analytics caught up) before each measured run, so the work the creates before it left
 * to the relay and billing is not measured as part of a listing.
 */
async function scenarios(target: Target, baseline: Integrity): Promise<ScenarioResult[]> {
  const { baseUrl } = target;
  const { scenarioRequests: amount, scenarioConnections: connections } = loadSettings;
  const token = await signIn(baseUrl);
  const json = { 'Content-Type': 'application/json' };
  const create = (): Request => ({ method: 'POST', path: '/api/patients', headers: json, body: patientBody(`scenario-${uniqueSuffix()}`).replace('Load Patient', 'Scenario Patient') });
  const results: ScenarioResult[] = [];
  const alone = async (measure: () => Promise<ScenarioResult>) => {
    await settle(target.databaseUrl, baseline, 180_000);
    results.push(await measure());
  };
  await scenario('warm-up', baseUrl, token, 200, connections, create);
  await alone(() => scenario('POST /api/patients', baseUrl, token, amount, connections, create));
  await scenario('warm-up', baseUrl, token, 200, connections, () => ({ method: 'GET', path: '/api/patients?limit=20' }));
  await alone(() => scenario('GET /api/patients', baseUrl, token, amount, connections, () => ({ method: 'GET', path: '/api/patients?limit=20' })));
  const ids = await liveIds(target.databaseUrl, 'Scenario Patient', amount + 400);
  let nextGet = 0;
  const get = (): Request => ({ method: 'GET', path: `/api/patients/${ids[nextGet++ % ids.length]!.id}` });
  await scenario('warm-up', baseUrl, token, 200, connections, get);
  await alone(() => scenario('GET /api/patients/{id}', baseUrl, token, amount, connections, get));
  const deletable = ids.slice(0, amount + 200);
  await scenario('warm-up', baseUrl, token, 200, connections, () => {
    const next = deletable.pop();
    return next ? { method: 'DELETE', path: `/api/patients/${next.id}`, headers: { 'If-Match': `"v${next.version}"` } } : { method: 'GET', path: '/api/patients?limit=20' };
  });
  await alone(() =>
    scenario('DELETE /api/patients/{id}', baseUrl, token, amount, connections, () => {
      const next = deletable.pop();
      return next ? { method: 'DELETE', path: `/api/patients/${next.id}`, headers: { 'If-Match': `"v${next.version}"` } } : { method: 'GET', path: '/api/patients?limit=20' };
    }),
  );
  return results;
}

export async function benchmarkLoad(target: Target, log: (line: string) => void): Promise<LoadResults> {
  const baseline = await readIntegrity(target.databaseUrl);
  const staff = await staffAccounts(target.baseUrl, loadSettings.connections);
  const sampling = startSamplerProcess({ databaseUrl: target.databaseUrl, adminDatabaseUrl: target.adminDatabaseUrl, stateDir: target.stateDir, benchPid: process.pid });
  log(`mixed traffic: ${loadSettings.connections} connections for ${loadSettings.seconds} s`);
  const traffic = await mixedTraffic(target.baseUrl, staff, loadSettings.seconds, (n) => log(`  ${n} requests answered`));
  log('waiting for the outbox and analytics to settle');
  const { integrity: afterLoad, settledInMs } = await settle(target.databaseUrl, baseline, 180_000);
  log('single-route scenarios');
  const scenarioResults = await scenarios(target, baseline);
  const { integrity: afterScenarios } = await settle(target.databaseUrl, baseline, 180_000);
  const { memory, maxConnections } = await sampling.stop();
  return {
    settings: loadSettings,
    requests: traffic.requests,
    unanswered: traffic.unanswered,
    byRoute: routeTable(traffic.byRoute),
    memory,
    maxConnections,
    connectionCap: target.connectionCap,
    afterLoad,
    settledInMs,
    scenarios: scenarioResults,
    afterScenarios,
  };
}

/** Issue 7's figures for the Java original on this machine (its five Spring Boot services behind the gateway). */
const JAVA_ORIGINAL: Record<string, string> = {
  'GET /api/patients': '870 / 43',
  'GET /api/patients/{id}': '(no such route)',
  'POST /api/patients': '364 / 88',
  'DELETE /api/patients/{id}': '897 / 37',
};

export function loadProblems(results: LoadResults): string[] {
  const fiveXx = results.byRoute.flatMap((r) => Object.entries(r.statuses).filter(([status]) => Number(status) >= 500).map(([status, n]) => `${n} × ${status} on ${r.route}`));
  return [
    ...fiveXx,
    ...(results.unanswered > 0 ? [`${results.unanswered} requests got no answer`] : []),
    ...integrityProblems(results.afterLoad).map((p) => `after the mixed load: ${p}`),
    ...integrityProblems(results.afterScenarios).map((p) => `after the scenarios: ${p}`),
    ...(results.maxConnections > results.connectionCap ? [`${results.maxConnections} database connections, over the cap of ${results.connectionCap}`] : []),
  ];
}

function nearest(memory: MemorySample[], seconds: number): MemorySample {
  return memory.reduce((best, s) => (Math.abs(s.atSeconds - seconds) < Math.abs(best.atSeconds - seconds) ? s : best), memory[0]!);
}

export function loadSection(r: LoadResults): string {
  const statusText = (statuses: Record<string, number>) => Object.entries(statuses).filter(([s]) => !s.startsWith('2')).map(([s, n]) => `${n}×${s}`).join(', ') || '0';
  const loadEnd = r.settings.seconds;
  const points = [nearest(r.memory, 0), nearest(r.memory, 60), nearest(r.memory, loadEnd), r.memory.at(-1)!];
  const names = Object.keys(points[0]!.mbByProcess);
  const peak = Math.max(...r.memory.map((s) => Object.values(s.mbByProcess).reduce((a, b) => a + b, 0)));
  const totalRps = r.requests / r.settings.seconds;
  const integrityRow = (label: string, i: Integrity) => [label, i.patients, i.deleted, i.accounts, i.withoutAccount, i.counted.created, i.counted.deleted, `${i.counted.created + i.counted.updated + i.counted.deleted} / ${i.events}`, i.pending, i.parked];
  return [
    `## Sustained load (issue 7): ${r.settings.connections} connections, ${r.settings.seconds} s of mixed traffic`,
    '',
    `${r.requests} requests answered (${totalRps.toFixed(0)}/s), ${r.unanswered} unanswered. Mix per cycle of 50: 60 % reads, 26 % creates and updates, 4 % deletes, 10 % sign-in and refresh.`,
    '',
    markdownTable(['route', 'requests', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx'], r.byRoute.map((x) => [x.route, x.requests, x.p50, x.p95, x.p99, statusText(x.statuses)])),
    '',
    `Memory per process in MB, RSS / PSS (PostgreSQL: postmaster and backends together; RSS counts the shared buffers once in every backend that touched them, PSS shares them out), at the start, after 1 minute, at the end of the mixed load and after the scenarios. The whole system at its peak: **${peak.toFixed(0)} MB** (PSS).`,
    '',
    markdownTable(
      ['process', 'start', '1 min', `${loadEnd} s`, 'after scenarios'],
      names.map((n) => [n, ...points.map((p) => `${(p.rssMbByProcess[n] ?? NaN).toFixed(0)} / ${(p.mbByProcess[n] ?? NaN).toFixed(0)}`)]),
    ),
    '',
    `Most database connections seen in pg_stat_activity: **${r.maxConnections}** (cap: max_connections = ${r.connectionCap}). Settled ${(r.settledInMs / 1000).toFixed(1)} s after the load stopped.`,
    '',
    'What the load changed (the state minus the state before it):',
    '',
    markdownTable(['integrity', 'patients', 'deleted', 'accounts', 'without account', 'counted created', 'counted deleted', 'events counted / sent', 'outbox pending', 'parked'], [integrityRow('after the mixed load', r.afterLoad), integrityRow('after the scenarios', r.afterScenarios)]),
    '',
    `### Single routes, ${r.settings.scenarioRequests} requests over ${r.settings.scenarioConnections} connections after a warm-up`,
    '',
    markdownTable(['scenario', 'Java original rps / p99 ms', 'rps', 'p50 ms', 'p99 ms', 'non-2xx'], r.scenarios.map((s) => [s.name, JAVA_ORIGINAL[s.name] ?? '–', s.rps, s.p50, s.p99, s.non2xx])),
  ].join('\n');
}
