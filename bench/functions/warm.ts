/**
 * Warm requests, run in a child process with the functions' environment (their config is read at import):
 * the packaged getPatient and createPatient handlers, called in this process one request at a time, beside
 * the same SQL statements sent directly with `pg` (one client, same database). The statements are the ones
 * the services send, captured through Kysely's query log. Rounds alternate between the two so that other
 * work on the machine hits both alike. Writes a WarmResult[] as JSON to BENCH_RESULTS_FILE.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import type { Database } from '../../functions/shared/db.schema.js';
import { createPatient, getPatient } from '../../functions/patients/patients.service.js';
import { summarize } from '../stats.js';
import { httpEvent, patientBody } from './events.js';

export interface WarmResult {
  request: string;
  samples: number;
  handlerP50Ms: number;
  handlerP99Ms: number;
  barePgP50Ms: number;
  barePgP99Ms: number;
  /** handler p50 / bare pg p50 */
  ratio: number;
  /** CPU time of this process per request (user + system), which other work on the machine does not stretch. */
  handlerCpuUs: number;
  barePgCpuUs: number;
}

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode?: number; body?: string }>;
type Statement = { sql: string; parameters: readonly unknown[] };

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const rounds = Number(process.env.BENCH_WARM_ROUNDS ?? 10);
const perRound = Number(process.env.BENCH_WARM_PER_ROUND ?? 200);
const token = env('BENCH_TOKEN');
const actor = env('BENCH_ACTOR');
const patientId = env('BENCH_PATIENT_ID');
const context = () => ({ awsRequestId: randomUUID(), functionName: 'bench', getRemainingTimeInMillis: () => 10_000 });

async function loadHandler(file: string): Promise<Handler> {
  return ((await import(pathToFileURL(file).href)) as { handler: Handler }).handler;
}

/** The statements a service call sends, in order (transaction control apart). */
async function capture(work: (db: Kysely<Database>) => Promise<unknown>): Promise<Statement[]> {
  const statements: Statement[] = [];
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: env('DATABASE_URL'), max: 1 }) }),
    log: (event) => {
      const query: CompiledQuery = event.query;
      statements.push({ sql: query.sql, parameters: query.parameters });
    },
  });
  try {
    await work(db);
  } finally {
    await db.destroy();
  }
  return statements;
}

async function timed(samples: number[], work: () => Promise<unknown>): Promise<void> {
  const start = performance.now();
  await work();
  samples.push(performance.now() - start);
}

async function compare(request: string, viaHandler: () => Promise<unknown>, viaPg: () => Promise<unknown>): Promise<WarmResult> {
  for (let i = 0; i < perRound; i++) {
    await viaHandler();
    await viaPg();
  }
  const handlerSamples: number[] = [];
  const pgSamples: number[] = [];
  const cpu = { handler: 0, pg: 0 };
  const cpuMicros = (usage: NodeJS.CpuUsage) => usage.user + usage.system;
  for (let round = 0; round < rounds; round++) {
    let start = process.cpuUsage();
    for (let i = 0; i < perRound; i++) await timed(handlerSamples, viaHandler);
    cpu.handler += cpuMicros(process.cpuUsage(start));
    start = process.cpuUsage();
    for (let i = 0; i < perRound; i++) await timed(pgSamples, viaPg);
    cpu.pg += cpuMicros(process.cpuUsage(start));
  }
  const handler = summarize(handlerSamples);
  const bare = summarize(pgSamples);
  return {
    request,
    samples: handler.samples,
    handlerP50Ms: handler.p50Ms,
    handlerP99Ms: handler.p99Ms,
    barePgP50Ms: bare.p50Ms,
    barePgP99Ms: bare.p99Ms,
    ratio: handler.p50Ms / bare.p50Ms,
    handlerCpuUs: cpu.handler / handlerSamples.length,
    barePgCpuUs: cpu.pg / pgSamples.length,
  };
}

function expectStatus(expected: number, result: { statusCode?: number; body?: string }): void {
  if (result.statusCode !== expected) throw new Error(`expected ${expected}, got ${result.statusCode}: ${result.body ?? ''}`);
}

const client = new pg.Client({ connectionString: env('DATABASE_URL') });
await client.connect();
const caller = { actor, requestId: randomUUID() };
const results: WarmResult[] = [];
try {
  const getHandler = await loadHandler(env('BENCH_GET_PATIENT_MODULE'));
  const readStatements = await capture((db) => getPatient(db, caller, patientId));
  results.push(
    await compare(
      'GET /api/patients/{id}',
      async () => {
        const event = httpEvent('GET', '/api/patients/{id}', { token, pathParameters: { id: patientId } });
        expectStatus(200, await getHandler(event, context()));
      },
      async () => {
        for (const statement of readStatements) await client.query(statement.sql, statement.parameters as unknown[]);
      },
    ),
  );

  const createHandler = await loadHandler(env('BENCH_CREATE_PATIENT_MODULE'));
  const template = patientBody();
  const createStatements = await capture((db) => createPatient(db, caller, template));
  const templateId = (await client.query<{ id: string }>('select id from patients where email = $1', [template.email])).rows[0]?.id;
  if (!templateId) throw new Error('the captured create left no patient');
  // Each transaction inserts a new patient: its email and id replace the captured ones, and every other
  // id (event ids are unique) a fresh one, consistently within the transaction.
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const replace = (value: unknown, email: string, id: string | undefined, fresh: Map<string, string>) => {
    if (typeof value !== 'string') return value;
    // The patient's id: the one the database returned, or (the service chooses ids) a fresh one for this transaction.
    if (value === templateId) return id ?? fresh.get(value) ?? fresh.set(value, randomUUID()).get(value);
    if (uuid.test(value)) return fresh.get(value) ?? fresh.set(value, randomUUID()).get(value);
    return value.replaceAll(template.email, email);
  };
  results.push(
    await compare(
      'POST /api/patients',
      async () => {
        const event = httpEvent('POST', '/api/patients', { token, body: patientBody() });
        expectStatus(201, await createHandler(event, context()));
      },
      async () => {
        const email = patientBody().email;
        await client.query('BEGIN');
        let id: string | undefined;
        const fresh = new Map<string, string>();
        for (const statement of createStatements) {
          const result = await client.query<{ id?: string }>(statement.sql, statement.parameters.map((p) => replace(p, email, id, fresh)));
          id ??= result.rows[0]?.id;
        }
        await client.query('COMMIT');
      },
    ),
  );
} finally {
  await client.end();
}
await writeFile(env('BENCH_RESULTS_FILE'), JSON.stringify(results));
process.exit(0);
