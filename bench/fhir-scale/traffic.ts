/**
 * Requests of the FHIR scale benchmark: a query kind at a number of connections, bounded by a count and a time
 * (whichever comes first), with every response's latency kept for the percentiles; and paging a search to its
 * end through Bundle.link next. Only loopback is ever addressed (next links included: checked before following).
 */
import autocannon, { type Request } from 'autocannon';
import { percentile } from '../stats.js';

export interface KindResult {
  name: string;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Responses by status, plus `errors` and `timeouts` (no answer). */
  statuses: Record<string, number>;
  /** Which bound ended the run. */
  stoppedBy: 'count' | 'time';
}

export interface Bounds {
  requests: number;
  seconds: number;
  connections: number;
}

export async function measureKind(name: string, baseUrl: string, token: string, bounds: Bounds, next: () => Request): Promise<KindResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const startedAt = performance.now();
  let lastAnswerAt = startedAt;
  const run = autocannon({
    url: baseUrl,
    connections: bounds.connections,
    amount: bounds.requests,
    timeout: 30,
    requests: [
      {
        setupRequest: (request: Request) => {
          const chosen = next();
          return { ...request, ...chosen, headers: { Accept: 'application/fhir+json', ...chosen.headers, Authorization: `Bearer ${token}` } };
        },
      },
    ],
  }) as unknown as autocannon.Instance & Promise<autocannon.Result>;
  run.on('response', (_client: unknown, status: number, _bytes: number, responseTimeMs: number) => {
    lastAnswerAt = performance.now();
    latencies.push(responseTimeMs);
    statuses[status] = (statuses[status] ?? 0) + 1;
  });
  let stoppedBy: KindResult['stoppedBy'] = 'count';
  const timer = setTimeout(() => {
    stoppedBy = 'time';
    run.stop();
  }, bounds.seconds * 1000);
  const result = await run;
  clearTimeout(timer);
  if (result.errors > 0) statuses.errors = result.errors;
  if (result.timeouts > 0) statuses.timeouts = result.timeouts;
  const sorted = latencies.sort((a, b) => a - b);
  const seconds = (lastAnswerAt - startedAt) / 1000;
  return {
    name,
    requests: sorted.length,
    seconds,
    rps: sorted.length > 0 ? sorted.length / seconds : 0,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    statuses,
    stoppedBy,
  };
}

export interface PagingResult {
  query: string;
  pages: number;
  entries: number;
  /** Whether the last page had no next link (else the bound stopped it). */
  reachedEnd: boolean;
  totalSeconds: number;
  /** Median ms of the first and the last 10 pages, and the slowest page. */
  firstPagesMs: number;
  lastPagesMs: number;
  maxPageMs: number;
  failure?: string;
}

const loopback = (url: URL) => ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

/** Follows next links from `firstUrl`, one request at a time, until there is none or a bound is reached. */
export async function pageToTheEnd(firstUrl: string, token: string, bounds: { pages: number; seconds: number }): Promise<PagingResult> {
  const times: number[] = [];
  let entries = 0;
  let url: string | undefined = firstUrl;
  let failure: string | undefined;
  const started = performance.now();
  while (url && times.length < bounds.pages && performance.now() - started < bounds.seconds * 1000) {
    if (!loopback(new URL(url))) {
      failure = `a next link left loopback: ${url}`;
      break;
    }
    const sent = performance.now();
    const response = await fetch(url, { headers: { Accept: 'application/fhir+json', Authorization: `Bearer ${token}` } });
    const bundle = (await response.json()) as { entry?: { search?: { mode?: string } }[]; link?: { relation: string; url: string }[] };
    times.push(performance.now() - sent);
    if (!response.ok) {
      failure = `page ${times.length} answered ${response.status}`;
      break;
    }
    entries += (bundle.entry ?? []).filter((e) => e.search?.mode === 'match').length;
    url = bundle.link?.find((l) => l.relation === 'next')?.url;
  }
  const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
  return {
    query: new URL(firstUrl).search,
    pages: times.length,
    entries,
    reachedEnd: url === undefined && failure === undefined,
    totalSeconds: (performance.now() - started) / 1000,
    firstPagesMs: median(times.slice(0, 10)),
    lastPagesMs: median(times.slice(-10)),
    maxPageMs: Math.max(...times),
    ...(failure ? { failure } : {}),
  };
}
