/**
 * The FHIR scale benchmark (issue 20, "Scale"): a million patients seeded straight into the stack's PostgreSQL,
 * then the FHIR Patient searches a clinic runs (by identifier, family + birth date, name prefix, a day of
 * _lastUpdated) and a read, each at 10 connections through serverless offline, bounded in count and time,
 * against the goal p99 ≤ 50 ms, with the CPU each request costs each process and the latency of the same requests
 * sent one at a time (what 10 connections measure on this machine: fhir-scale/report.ts); the plans of the
 * statements they send beside the figures; what grows with the table (sizes, paging a large search to its end);
 * and creates before and after the million rows.
 *
 * It runs last in `npm run bench` (or alone: `npm run bench -- fhir-scale`): the million rows stay in the
 * stack's database, and would change what the sections after it measure.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Request } from 'autocannon';
import pg from 'pg';
import { seedPatients, SEEDED_SYSTEMS, type SeedResult } from './fhir-scale/seed.js';
import { measureKind, pageToTheEnd, type KindResult, type PagingResult } from './fhir-scale/traffic.js';
import type { PlanRequest, PlanResult } from './fhir-scale/plans.js';
import { cpuSampler, perRequest, type CpuPerRequest } from './fhir-scale/cpu.js';
import { DEV_ADMIN } from './load/traffic.js';

export const fhirScaleSettings = {
  patients: Number(process.env.BENCH_FHIR_PATIENTS ?? 1_000_000),
  batchSize: 100_000,
  connections: 10,
  requests: 2000,
  seconds: 60,
  warmup: 200,
  /** Each kind also alone, one request at a time: its latency without a queue for the cores (see report.ts). */
  single: { requests: 500, seconds: 30 },
  goalP99Ms: 50,
  paging: { count: 100, pages: 2000, seconds: 300 },
};

export interface FhirScaleResults {
  settings: typeof fhirScaleSettings;
  seed: SeedResult;
  sizes: { relation: string; kind: 'table' | 'index'; bytes: number }[];
  /** Creates on the table as the earlier sections left it, and on the million rows. */
  createsBefore: KindResult[];
  createsAfter: KindResult[];
  patientsBefore: number;
  searches: (KindResult & { example: string; pageSize: number; cpu?: CpuPerRequest; single: KindResult })[];
  /** This machine's cores, which every process of the benchmark shares. */
  cores: number;
  /** The most connections the FHIR function's pool held, seen after each kind's run. */
  fhirPoolConnections: number;
  plans: PlanResult[];
  paging: PagingResult[];
}

interface Target {
  baseUrl: string;
  databaseUrl: string;
  /** The stack's environment: the plans' child process runs the FHIR handler with it. */
  env: Record<string, string>;
  workDir: string;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const json = { 'Content-Type': 'application/json' };

async function post(url: string, body: unknown, token?: string) {
  return fetch(url, { method: 'POST', headers: { ...json, ...(token ? { Authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
}

/** A new clinician account, signed in: the searches run as a member of staff would. */
export async function clinicianToken(baseUrl: string): Promise<string> {
  const admin = (await (await post(`${baseUrl}/auth/login`, DEV_ADMIN)).json()) as { token: string };
  const account = { email: `fhir-scale.${Date.now().toString(36)}@bench.clinic.test`, password: 'bench password 123' };
  const created = await post(`${baseUrl}/api/users`, { ...account, role: 'clinician' }, admin.token);
  if (created.status !== 201) throw new Error(`creating the clinician failed: ${created.status}`);
  const signedIn = await post(`${baseUrl}/auth/login`, account);
  if (!signedIn.ok) throw new Error(`the clinician's sign-in failed: ${signedIn.status}`);
  return ((await signedIn.json()) as { token: string }).token;
}

async function withClient<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-sampler' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Waits (bounded) until the relay has published what creates queued, so that its work is not measured with the next query. */
async function outboxDrained(databaseUrl: string, timeoutMs = 180_000): Promise<void> {
  const started = performance.now();
  await withClient(databaseUrl, async (client) => {
    for (;;) {
      const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from outbox where published_at is null and next_attempt_at <> 'infinity'`);
      if (rows[0]?.n === 0 || performance.now() - started > timeoutMs) return;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  });
}

/** Connections the FHIR function's pool holds now (its idle ones stay open for 30 s). */
async function fhirConnections(databaseUrl: string): Promise<number> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where application_name like '%-fhir'`);
    return rows[0]?.n ?? 0;
  });
}

async function sizes(databaseUrl: string): Promise<FhirScaleResults['sizes']> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ relation: string; kind: 'table' | 'index'; bytes: string }>(
      `select c.relname as relation, case c.relkind when 'i' then 'index' else 'table' end as kind,
              case c.relkind when 'i' then pg_relation_size(c.oid) else pg_table_size(c.oid) end as bytes
       from pg_class c
       where c.relname in ('patients', 'patient_identifiers', 'patient_versions')
          or c.oid in (select indexrelid from pg_index where indrelid in ('patients'::regclass, 'patient_identifiers'::regclass, 'patient_versions'::regclass))
       order by c.relkind desc, bytes desc`,
    );
    return rows.map((r) => ({ ...r, bytes: Number(r.bytes) }));
  });
}

let created = 0;
/** A new FHIR Patient (unique family name and email, so that creates never collide). */
function fhirPatient() {
  created += 1;
  const unique = `${process.pid.toString(36)}${Date.now().toString(36)}${created.toString(36)}`;
  return {
    resourceType: 'Patient',
    name: [{ use: 'official', family: `Benchová${unique}`, given: ['Zoë', 'Ana'] }],
    gender: 'female',
    birthDate: '1984-07-02',
    telecom: [{ system: 'email', value: `fhir.${unique}@example.org` }, { system: 'phone', value: '+41 44 555 01 23' }],
    address: [{ text: '1 Bench Street, Zürich' }],
  };
}

function apiPatient() {
  created += 1;
  const unique = `${process.pid.toString(36)}${Date.now().toString(36)}${created.toString(36)}`;
  return { name: `Scale Patient ${unique}`, email: `scale.${unique}@example.org`, address: '1 Bench Street', dateOfBirth: '1980-05-17', registeredDate: '2024-02-01' };
}

async function creates(target: Target, token: string): Promise<KindResult[]> {
  const bounds = { requests: fhirScaleSettings.requests, seconds: fhirScaleSettings.seconds, connections: fhirScaleSettings.connections };
  const fhirCreate = (): Request => ({ method: 'POST', path: '/fhir/R4/Patient', headers: { 'Content-Type': 'application/fhir+json' }, body: JSON.stringify(fhirPatient()) });
  const apiCreate = (): Request => ({ method: 'POST', path: '/api/patients', headers: json, body: JSON.stringify(apiPatient()) });
  const results: KindResult[] = [];
  for (const [name, next] of [['POST /fhir/R4/Patient', fhirCreate], ['POST /api/patients', apiCreate]] as const) {
    await measureKind('warm-up', target.baseUrl, token, { ...bounds, requests: fhirScaleSettings.warmup }, next);
    await outboxDrained(target.databaseUrl);
    results.push(await measureKind(name, target.baseUrl, token, bounds, next));
    await outboxDrained(target.databaseUrl);
  }
  return results;
}

/** Values to search for, drawn from the seeded rows (each request a different one, cycling). */
export async function searchInputs(databaseUrl: string, amount: number) {
  return withClient(databaseUrl, async (client) => {
    await client.query('select setseed(0.7)');
    const identifiers = (await client.query<{ system: string; value: string }>(
      `select system, value from patient_identifiers tablesample bernoulli (1) repeatable (7) where live order by random() limit $1`, [amount])).rows;
    const people = (await client.query<{ id: string; family: string; given: string; date_of_birth: string }>(
      `select id, family, given[1] as given, date_of_birth from patients tablesample bernoulli (1) repeatable (11) where deleted_at is null and family is not null order by random() limit $1`, [amount])).rows;
    return { identifiers, people };
  });
}

const cycle = <T>(values: T[]) => {
  let next = 0;
  return () => values[next++ % values.length]!;
};
/** The first `n` letters of a name (code points, so that an accented letter is not cut in two). */
const prefix = (word: string, n: number) => [...word.replace(/[^\p{L}]/gu, '')].slice(0, n).join('');
const day = (offsetDays: number) => new Date(Date.now() - offsetDays * 86_400_000).toISOString().slice(0, 10);

/** A kind of request measured: a GET of `path`, or a POST of `body` to it. */
interface RequestKind {
  name: string;
  path: () => string;
  body?: () => unknown;
}

export function searchKinds(inputs: Awaited<ReturnType<typeof searchInputs>>): RequestKind[] {
  const identifier = cycle(inputs.identifiers);
  const person = cycle(inputs.people);
  let dayOffset = 0;
  const query = (params: [string, string][]) => `/fhir/R4/Patient?${new URLSearchParams(params).toString()}`;
  return [
    { name: 'search identifier=system|value', path: () => { const i = identifier(); return query([['identifier', `${i.system}|${i.value}`]]); } },
    { name: 'search family=<prefix>&birthdate=<date>', path: () => { const p = person(); return query([['family', prefix(p.family, 4)], ['birthdate', p.date_of_birth]]); } },
    { name: 'search name=<3-4 letter prefix>', path: () => { const p = person(); return query([['name', prefix(p.given, 3 + (p.id.charCodeAt(0) % 2))]]); } },
    {
      name: 'search _lastUpdated=ge<day>&_lastUpdated=lt<day+1>',
      path: () => {
        const offset = 1 + (dayOffset++ % 360);
        return query([['_lastUpdated', `ge${day(offset)}`], ['_lastUpdated', `lt${day(offset - 1)}`]]);
      },
    },
    { name: 'read Patient/{id}', path: () => `/fhir/R4/Patient/${person().id}` },
    {
      // A registration desk's probe of someone already registered, with two letters of the family name swapped.
      name: 'Patient/$match (issue 21)',
      path: () => '/fhir/R4/Patient/$match',
      body: () => {
        const p = person();
        const family = p.family.length > 3 ? `${p.family.slice(0, -2)}${p.family.at(-1)}${p.family.at(-2)}` : p.family;
        return { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', name: [{ family, given: [p.given] }], birthDate: p.date_of_birth } }] };
      },
    },
  ];
}

/** The plans' child: the real handler in a process with the stack's environment (see fhir-scale/plans.ts). */
function explain(target: Target, token: string, requests: PlanRequest[]): Promise<PlanResult[]> {
  const file = path.join(target.workDir, 'fhir-scale-plans.json');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/fhir-scale/plans.ts')], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...target.env, API_URL: target.baseUrl, LOG_LEVEL: 'warn', BENCH_TOKEN: token, BENCH_PLAN_REQUESTS: JSON.stringify(requests), BENCH_RESULTS_FILE: file },
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`the plans' process exited with ${signal ?? code}`));
      readFile(file, 'utf8').then((text) => resolve(JSON.parse(text) as PlanResult[]), reject);
    });
  });
}

async function pageSizeOf(baseUrl: string, token: string, pathAndQuery: string): Promise<number> {
  const response = await fetch(`${baseUrl}${pathAndQuery}`, { headers: { Accept: 'application/fhir+json', Authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { resourceType?: string; entry?: unknown[] };
  return body.resourceType === 'Bundle' ? (body.entry ?? []).length : 1;
}

export async function benchmarkFhirScale(target: Target, mrnSystem: string, log: (line: string) => void): Promise<FhirScaleResults> {
  const settings = fhirScaleSettings;
  const bounds = { requests: settings.requests, seconds: settings.seconds, connections: settings.connections };
  const token = await clinicianToken(target.baseUrl);
  const patientsBefore = await withClient(target.databaseUrl, async (c) => (await c.query<{ n: number }>('select count(*)::int as n from patients')).rows[0]!.n);
  log(`creates on the table as it is (${patientsBefore} patients)`);
  const createsBefore = await creates(target, token);
  log(`seeding ${settings.patients} patients in batches of ${settings.batchSize}`);
  const seed = await seedPatients(target.databaseUrl, { patients: settings.patients, batchSize: settings.batchSize, mrnSystem }, log);
  log(`  seeded in ${seed.totalSeconds.toFixed(0)} s`);
  const inputs = await searchInputs(target.databaseUrl, 5000);
  const searches: FhirScaleResults['searches'] = [];
  const examples: PlanRequest[] = [];
  const cpu = cpuSampler(Number(new URL(target.baseUrl).port), Number(new URL(target.databaseUrl).port || 5432));
  let fhirPoolConnections = 0;
  for (const kind of searchKinds(inputs)) {
    log(`${kind.name}: warm-up, then ${bounds.requests} requests or ${bounds.seconds} s at ${bounds.connections} connections, then ${settings.single.requests} at 1`);
    const body = kind.body;
    const request = () =>
      body
        ? { method: 'POST' as const, path: kind.path(), body: JSON.stringify(body()), headers: { 'Content-Type': 'application/fhir+json' } }
        : { method: 'GET' as const, path: kind.path() };
    await measureKind('warm-up', target.baseUrl, token, { ...bounds, requests: settings.warmup }, request);
    const example = kind.path();
    const before = cpu?.();
    const result = await measureKind(kind.name, target.baseUrl, token, bounds, request);
    const after = cpu?.();
    const costs = before && after ? { cpu: perRequest(before, after, result.requests) } : {};
    fhirPoolConnections = Math.max(fhirPoolConnections, await fhirConnections(target.databaseUrl));
    const single = await measureKind(kind.name, target.baseUrl, token, { ...settings.single, connections: 1 }, request);
    if (body) {
      searches.push({ ...result, ...costs, single, example, pageSize: NaN });
      examples.push({ kind: kind.name, method: 'POST', pathAndQuery: example, body: body() });
    } else {
      searches.push({ ...result, ...costs, single, example, pageSize: await pageSizeOf(target.baseUrl, token, example) });
      examples.push({ kind: kind.name, method: 'GET', pathAndQuery: example });
    }
    log(`  p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, ${result.rps.toFixed(0)}/s; alone p50 ${single.p50.toFixed(1)} ms, p99 ${single.p99.toFixed(1)} ms`);
  }
  log('plans of the statements each kind sends (EXPLAIN ANALYZE, BUFFERS)');
  const commonFamily = 'Smith';
  const paged = [
    `/fhir/R4/Patient?family=${prefix(commonFamily, 3)}&_count=${settings.paging.count}`,
    `/fhir/R4/Patient?family=${prefix(commonFamily, 3)}&_sort=family&_count=${settings.paging.count}`,
  ];
  const plans = await explain(target, token, [...examples, ...paged.map((p) => ({ kind: `paging ${p.split('?')[1]}`, method: 'GET' as const, pathAndQuery: p }))]);
  const paging: PagingResult[] = [];
  for (const first of paged) {
    log(`paging to the end: ${first}`);
    paging.push(await pageToTheEnd(`${target.baseUrl}${first}`, token, settings.paging));
  }
  log('creates on the million rows');
  const createsAfter = await creates(target, token);
  return { settings, seed, sizes: await sizes(target.databaseUrl), createsBefore, createsAfter, patientsBefore, searches, cores: os.availableParallelism(), fhirPoolConnections, plans, paging };
}

export { fhirScaleSection, fhirScaleProblems } from './fhir-scale/report.js';
export { SEEDED_SYSTEMS };
