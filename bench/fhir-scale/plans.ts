/**
 * The query plans beside the figures, run in a child process with the stack's environment (the functions'
 * config is read at import): each request of the benchmark goes once through the real /fhir/R4 handler in this
 * process, every statement it sends to PostgreSQL is captured at the `pg` client (text and parameters, as sent),
 * and each is then run again as EXPLAIN (ANALYZE, BUFFERS) with the same parameters over the extended protocol,
 * so that PostgreSQL plans it as it planned the handler's (an unnamed statement, planned for those values),
 * inside a transaction rolled back (a search's statement also records the read in the audit trail).
 *
 * BENCH_TOKEN, BENCH_PLAN_REQUESTS (JSON: PlanRequest[]) and BENCH_RESULTS_FILE (receives PlanResult[]).
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import pg from 'pg';

export interface PlanRequest {
  kind: string;
  method: 'GET' | 'POST';
  /** Path and query string, e.g. /fhir/R4/Patient?family=gar&birthdate=1980-05-17 */
  pathAndQuery: string;
  body?: unknown;
}

export interface PlanResult {
  kind: string;
  pathAndQuery: string;
  status: number;
  statements: { sql: string; parameters: unknown[]; plan: string }[];
}

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const explainer = new pg.Client({ connectionString: env('DATABASE_URL'), application_name: 'bench-plans' });
const captured: { sql: string; parameters: unknown[] }[] = [];
const originalQuery = pg.Client.prototype.query;
// Wrapped before the handler is imported: every statement the functions send, on any pooled client, is seen here.
pg.Client.prototype.query = function capture(this: pg.Client, ...args: unknown[]) {
  if (this !== explainer && typeof args[0] === 'string') captured.push({ sql: args[0], parameters: (Array.isArray(args[1]) ? args[1] : []) as unknown[] });
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode?: number; body?: string }>;
const { handler } = (await import('../../functions/fhir/fhir.js')) as unknown as { handler: Handler };

function event(request: PlanRequest, token: string) {
  const [rawPath = '', rawQueryString = ''] = request.pathAndQuery.split('?');
  const headers: Record<string, string> = { host: new URL(env('API_URL')).host, authorization: `Bearer ${token}`, accept: 'application/fhir+json', 'user-agent': 'bench' };
  if (request.body !== undefined) headers['content-type'] = 'application/fhir+json';
  return {
    version: '2.0',
    routeKey: `${request.method} /fhir/R4/{proxy+}`,
    rawPath,
    rawQueryString,
    headers,
    requestContext: { http: { method: request.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' }, requestId: randomUUID(), stage: '$default', timeEpoch: Date.now() },
    isBase64Encoded: false,
    ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
  };
}

const control = /^\s*(begin|commit|rollback|savepoint|release|set )/i;

await explainer.connect();
const token = env('BENCH_TOKEN');
const results: PlanResult[] = [];
try {
  for (const request of JSON.parse(env('BENCH_PLAN_REQUESTS')) as PlanRequest[]) {
    captured.length = 0;
    const context = { awsRequestId: randomUUID(), functionName: 'bench-plans', getRemainingTimeInMillis: () => 10_000 };
    const answer = await handler(event(request, token), context);
    const statements = captured.filter((s) => !control.test(s.sql)).map((s) => ({ ...s }));
    const explained: PlanResult['statements'] = [];
    for (const statement of statements) {
      await explainer.query('begin');
      try {
        const { rows } = await explainer.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${statement.sql}`, statement.parameters);
        explained.push({ ...statement, plan: rows.map((r) => r['QUERY PLAN']).join('\n') });
      } finally {
        await explainer.query('rollback');
      }
    }
    results.push({ kind: request.kind, pathAndQuery: request.pathAndQuery, status: answer.statusCode ?? 0, statements: explained });
  }
} finally {
  await explainer.end();
}
await writeFile(env('BENCH_RESULTS_FILE'), JSON.stringify(results));
process.exit(0);
