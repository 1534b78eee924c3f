/** The FHIR scale benchmark's section of bench/results: figures, the plans beside them, what grows with the table. */
import type { FhirScaleResults } from '../fhir-scale.bench.js';
import { formatNumber, markdownTable } from '../report.js';
import type { PlanResult } from './plans.js';
import type { KindResult } from './traffic.js';

const nonOk = (statuses: Record<string, number>) => Object.entries(statuses).filter(([status]) => !status.startsWith('2')).map(([s, n]) => `${n}×${s}`).join(', ') || '0';
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/** What a plan shows at a glance: the indexes it reads, the tables it scans whole, its execution time and buffers. */
export function planSummary(plan: string) {
  const indexes = [...new Set([...plan.matchAll(/(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\S+)/g)].map((m) => m[1]!))];
  const seqScans = [...new Set([...plan.matchAll(/Seq Scan on (\S+)/g)].map((m) => m[1]!))];
  const executionMs = Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? NaN);
  const buffers = /Buffers: ([^\n]+)/.exec(plan)?.[1]?.trim() ?? '';
  return { indexes, seqScans, executionMs, buffers };
}

/** The statements of a request that touch the patient tables (a request also reads the caller's account, writes its audit). */
const patientStatements = (result: PlanResult) => result.statements.filter((s) => /patients|patient_identifiers|patient_versions/.test(s.sql));

function createRows(label: string, results: KindResult[]) {
  return results.map((r) => [`${r.name} (${label})`, r.requests, r.rps, r.p50, r.p95, r.p99, r.max, nonOk(r.statuses)]);
}

export function fhirScaleSection(r: FhirScaleResults): string {
  const s = r.settings;
  // $match (issue 21) has its own goal: p99 ≤ 100 ms.
  const goalOf = (name: string) => (name.includes('$match') ? 100 : s.goalP99Ms);
  const goal = (p99: number, name: string) => (p99 <= goalOf(name) ? `met (${formatNumber(p99)} ≤ ${goalOf(name)})` : `**missed** (${formatNumber(p99)} > ${goalOf(name)})`);
  const tables = r.sizes.filter((x) => x.kind === 'table');
  const indexes = r.sizes.filter((x) => x.kind === 'index');
  return [
    `## FHIR search at scale (issue 20): ${r.seed.patients.toLocaleString('en')} patients`,
    '',
    `Seeded straight into PostgreSQL in batches of ${r.seed.batchSize.toLocaleString('en')} (\`insert … select … from generate_series\`; patients, their MRN and external identifiers in patient_identifiers, their first version in patient_versions), ` +
      `with the ${r.seed.rebuiltIndexes.length} indexes no constraint needs dropped for the load and rebuilt from their own definitions (checked identical afterwards): ` +
      `**${r.seed.totalSeconds.toFixed(0)} s** in all — inserts ${r.seed.insertSeconds.toFixed(0)} s, index rebuild ${r.seed.indexSeconds.toFixed(0)} s, VACUUM ANALYZE ${r.seed.vacuumAnalyzeSeconds.toFixed(0)} s. ` +
      `The table held ${r.patientsBefore} patients before.`,
    '',
    `### Searches and a read, ${s.connections} connections, ${s.requests} requests or ${s.seconds} s (whichever first) after ${s.warmup} of warm-up; goal p99 ≤ ${s.goalP99Ms} ms`,
    '',
    'Each request asks for a different seeded value (identifiers of every system seeded, the first letters of a family name with a birth date, the first 3 or 4 letters of a given name, one day of the last year). ' +
      `Through serverless offline, which runs every request of the FHIR function in one Node process on one pool (it held ${r.fhirPoolConnections} connections; DB_POOL_MAX of the local stage), as \`npm run dev\` does. Latencies are the client's, in ms.`,
    '',
    markdownTable(
      ['request', 'requests', 'stopped by', 'rps', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', `goal p99 ≤ ${s.goalP99Ms} ms`, 'entries on a page', 'non-2xx'],
      r.searches.map((x) => [x.name, x.requests, x.stoppedBy, x.rps, x.p50, x.p95, x.p99, x.max, goal(x.p99, x.name), x.pageSize, nonOk(x.statuses)]),
    ),
    '',
    '#### What a request costs, and what 10 connections measure here',
    '',
    'Deployed, each of 10 concurrent requests runs in a Lambda container of its own, with its own CPU and its own database connection (reservedConcurrency × DB_POOL_MAX, through the RDS Proxy), and PostgreSQL runs on a machine of its own. ' +
      'Here the client, serverless offline (one Node process for all 10) and PostgreSQL share this machine\'s cores, so at 10 connections a request mostly waits for a core: its latency is about 10 ÷ the rate the machine sustains, and that rate is the cores divided by the CPU one request costs. ' +
      '`DB_POOL_MAX=10 npm run bench -- fhir-scale` gives the function a connection for each concurrent request, as deployed; here that only adds backends that compete for the same cores (compare the runs). ' +
      'Two figures separate the cost from the queue: the CPU each request costs each process (from /proc, over the 10-connection run: serverless offline, PostgreSQL with all its processes, the load generator), and the latency of the same requests sent one at a time (no queue: closer to what one deployed request sees, less the network and the Lambda\'s smaller CPU share).',
    '',
    markdownTable(
      ['request', 'CPU ms: serverless offline', 'CPU ms: PostgreSQL', 'CPU ms: client', 'CPU ms in all', 'rate the cores allow (/s)', 'one at a time: p50 ms', 'p99 ms'],
      r.searches.map((x) => {
        const total = x.cpu ? x.cpu.offline + x.cpu.postgres + x.cpu.client : NaN;
        return [x.name, x.cpu?.offline ?? NaN, x.cpu?.postgres ?? NaN, x.cpu?.client ?? NaN, total, (r.cores * 1000) / total, x.single.p50, x.single.p99];
      }),
    ),
    '',
    '### Plans (the statements each request sends, EXPLAIN (ANALYZE, BUFFERS) with its own parameters)',
    '',
    'Captured at the `pg` client while the real /fhir/R4 handler answered one request of each kind in a process of its own, then explained with the same parameters over the extended protocol (planned for those values, as the handler\'s statement was), in a transaction rolled back. Only statements on the patient tables are summarised; every statement is in full below.',
    '',
    markdownTable(
      ['request', 'example', 'indexes used', 'whole-table scans', 'execution ms', 'buffers (top node)'],
      r.plans.flatMap((p) =>
        patientStatements(p).map((statement) => {
          const summary = planSummary(statement.plan);
          return [p.kind, `\`${p.pathAndQuery.replace(/\|/g, '%7C')}\``, summary.indexes.join(', ') || 'none', summary.seqScans.join(', ') || 'none', summary.executionMs, summary.buffers];
        }),
      ),
    ),
    '',
    '### What grows with the table',
    '',
    `Sizes after seeding (tables: pg_table_size, heap and TOAST; indexes: pg_relation_size). All indexes of the three tables: **${mb(indexes.reduce((sum, x) => sum + x.bytes, 0))}**.`,
    '',
    markdownTable(['relation', 'size', 'bytes per patient'], [...tables, ...indexes].map((x) => [`${x.kind === 'index' ? 'index ' : ''}${x.relation}`, mb(x.bytes), x.bytes / (r.seed.patients + r.patientsBefore)])),
    '',
    `Paging a large search to its end through Bundle.link next, one request at a time (bounded at ${s.paging.pages} pages or ${s.paging.seconds} s). Keyset paging should keep a page's time flat from the first pages to the last.`,
    '',
    markdownTable(
      ['search', 'pages', 'entries', 'reached the end', 'total s', 'first 10 pages ms (median)', 'last 10 pages ms (median)', 'slowest page ms'],
      r.paging.map((p) => [`\`${p.query}\``, p.pages, p.entries, p.failure ?? (p.reachedEnd ? 'yes' : 'no (bound)'), p.totalSeconds, p.firstPagesMs, p.lastPagesMs, p.maxPageMs]),
    ),
    '',
    `### Creates keep their rate? ${s.requests} creates at ${s.connections} connections, before and after the seeding`,
    '',
    'The last whole run of the load section (bench/results/latest-load.md) measured POST /api/patients at 779 rps, p99 26 ms, on a small table.',
    '',
    markdownTable(['create', 'requests', 'rps', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'non-2xx'], [
      ...createRows(`${r.patientsBefore} patients`, r.createsBefore),
      ...createRows(`${(r.seed.patients + r.patientsBefore).toLocaleString('en')}+ patients`, r.createsAfter),
    ]),
    '',
    '<details><summary>Full plans</summary>',
    '',
    ...r.plans.flatMap((p) => [
      `#### ${p.kind}: \`${p.pathAndQuery}\` → ${p.status}`,
      '',
      ...p.statements.flatMap((statement) => ['```sql', statement.sql, `-- parameters: ${JSON.stringify(statement.parameters)}`, '```', '```', statement.plan, '```', '']),
    ]),
    '</details>',
  ].join('\n');
}

export function fhirScaleProblems(r: FhirScaleResults): string[] {
  const all = [...r.searches, ...r.createsBefore, ...r.createsAfter];
  return [
    ...all.flatMap((x) => (nonOk(x.statuses) === '0' ? [] : [`FHIR scale, ${x.name}: ${nonOk(x.statuses)}`])),
    ...r.paging.flatMap((p) => (p.failure ? [`FHIR scale, paging ${p.query}: ${p.failure}`] : [])),
    ...r.plans.flatMap((p) => (p.status >= 400 ? [`FHIR scale, plans: ${p.pathAndQuery} answered ${p.status}`] : [])),
  ];
}
