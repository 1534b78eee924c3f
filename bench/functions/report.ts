/** The "Functions" section of bench/results/latest.md: this build beside the figures kept from before issue 10. */
import { formatNumber, markdownTable, type Cell } from '../report.js';
import type { FunctionsResults } from '../functions.bench.js';

const BUDGET_KB = 300;
const COLD_START_TARGET_MS = 60;
const WARM_RATIO_TARGET = 1.5;

export function functionsSection(now: FunctionsResults, before?: FunctionsResults): string {
  const was = <T extends { function?: string; request?: string }>(rows: T[] | undefined, key: string) =>
    rows?.find((row) => (row.function ?? row.request) === key);
  const names = now.bundles.map((b) => b.function);
  const sizeRows: Cell[][] = names.map((name) => {
    const size = was(now.bundles, name);
    const cold = was(now.coldStarts, name);
    const oldSize = was(before?.bundles, name);
    const oldCold = was(before?.coldStarts, name);
    return [
      name,
      oldSize ? `${formatNumber(oldSize.shippedKb)} / ${formatNumber(oldSize.minifiedKb)}` : '–',
      size?.minifiedKb ?? NaN,
      size?.gzipKb ?? NaN,
      oldCold?.medianMs ?? NaN,
      cold?.medianMs ?? NaN,
      cold?.waitedMedianMs ?? NaN,
      cold?.ownMedianMs ?? NaN,
      cold?.ownP90Ms ?? NaN,
      cold?.importMedianMs ?? NaN,
      cold?.statuses ?? '–',
    ];
  });
  const warmRows: Cell[][] = now.warm.map((w) => {
    const old = was(before?.warm, w.request);
    return [
      w.request,
      w.handlerP50Ms,
      w.handlerP99Ms,
      w.barePgP50Ms,
      w.barePgP99Ms,
      `${formatNumber(w.ratio)}×`,
      old ? `${formatNumber(old.ratio)}×` : '–',
      `${formatNumber(w.handlerCpuUs)} / ${formatNumber(w.barePgCpuUs)}`,
      old?.handlerCpuUs ? formatNumber(old.handlerCpuUs) : '–',
    ];
  });
  return [
    '## Functions: bundles, cold starts, warm requests (issue 10)',
    '',
    `The packaged functions (\`serverless package --stage prod\`), this build (${now.commit}) beside the figures kept from ` +
      `before the change (${before ? `${before.label}, ${before.commit}` : 'not available'}). Budgets: JavaScript ≤ ${BUDGET_KB} KB minified ` +
      `(source maps apart, still shipped; test/deploy/bundle-size.test.ts), import + first event ≤ ${COLD_START_TARGET_MS} ms median of our own code, ` +
      `warm ≤ ${WARM_RATIO_TARGET}× bare pg. "Before KB" is the JavaScript as it was shipped (not minified) / the same minified by esbuild.`,
    '',
    `Cold start: import of the handler module and its first event in a fresh Node process (${now.coldStarts[0]?.runs ?? 0} processes per ` +
      'function, one after another, no NODE_OPTIONS as deployed: a logged stack is mapped when it is logged), without the database ' +
      'connection (TCP connect and PostgreSQL start-up, timed at the socket); the AWS SDK comes from node_modules as the Lambda ' +
      'runtime provides it. "Waited" is the time the first event spent with nothing to run, its event loop idle until the ' +
      'connection, PostgreSQL (a fresh backend here, with cold catalog caches; behind RDS Proxy a new container gets a warm ' +
      'one), billing or Kafka answered; "own code" is import + first event less that wait, the budgeted figure. ' +
      'First events: an authorized request of the route (a new patient for creates and deletes, a login with the right password), ' +
      'the Kafka batch of test/events/, the relay\'s sweep of an empty outbox. All on this shared machine: see its load average above.',
    '',
    markdownTable(
      [
        'function',
        'before KB (shipped / min)',
        'JS KB (min)',
        'gzip KB',
        'before cold ms',
        'cold median ms',
        'waited ms',
        'own code median ms',
        'own code p90 ms',
        'import ms',
        'answers',
      ],
      sizeRows,
    ),
    '',
    'Warm: the packaged handler called in-process, one request at a time, beside the same SQL statements (captured from the ' +
      "service through Kysely's query log) sent with one `pg` client to the same database; rounds alternate between the two. " +
      'The ratio is handler p50 / bare p50. CPU is this process\'s user + system time per request: the part of the cost that is our ' +
      'code, which a busy machine does not stretch the way it stretches wall-clock latencies.',
    '',
    markdownTable(
      ['request', 'handler p50 ms', 'handler p99 ms', 'bare pg p50 ms', 'bare pg p99 ms', 'ratio', 'ratio before', 'CPU µs/request handler / pg', 'handler CPU µs before'],
      warmRows,
    ),
  ].join('\n');
}
