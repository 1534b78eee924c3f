/** Markdown tables for the benchmark summary: printed to the console and written to bench/results/latest.md. */
import os from 'node:os';
import type { Result as BillingResult } from './billing.bench.js';
import type { EventLatencyResult } from './event-latency.js';
import type { ThroughputResult } from './relay-throughput.js';
import type { LatencySummary } from './stats.js';

export type Cell = string | number;

/** A GitHub-flavoured markdown table, columns padded so it also reads well in a terminal. */
export function markdownTable(header: string[], rows: Cell[][]): string {
  // A NaN that went through JSON comes back as null.
  const text = rows.map((row) => row.map((cell) => (typeof cell === 'string' ? cell : formatNumber(cell ?? NaN))));
  const widths = header.map((h, column) => Math.max(h.length, ...text.map((row) => (row[column] ?? '').length)));
  // The first column is a label (left-aligned), the rest are numbers (right-aligned).
  const pad = (cell: string, column: number) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0));
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((w, column) => (column === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...text.map(line)].join('\n');
}

const load = (averages: number[]) => averages.map((l) => l.toFixed(2)).join(' / ');

/** Whole numbers above 100, otherwise two decimals; NaN (no samples) as a dash. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
}

export function machineInfo(loadAtStart: number[]): string {
  const cpus = os.cpus();
  return [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${cpus.length} CPU(s) (${cpus[0]?.model.trim() ?? 'unknown'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()} ${os.arch()}`,
    `- node ${process.version}; all traffic on loopback; every service on this one machine`,
    // Other work on the machine moves these numbers: the load average says how busy it was.
    `- load average (1/5/15 min): ${load(loadAtStart)} at the start, ${load(os.loadavg())} at the end`,
  ].join('\n');
}

export interface EventPathResults {
  latency: EventLatencyResult;
  throughput: ThroughputResult[];
}

export function billingSection(results: BillingResult[], settings: { callsPerOperation: number; concurrency: number }): string {
  return [
    '## Billing gRPC (issue 3)',
    '',
    `${settings.callsPerOperation} calls per operation, ${settings.concurrency} in flight, one client channel; the billing server ` +
      'in this process against PostgreSQL (a throwaway database on the stack\'s server). The bare ping is grpc-js with no protobuf and no database.',
    '',
    markdownTable(
      ['operation', 'calls', 'calls/s', 'p50 ms', 'p99 ms'],
      results.map((r) => [r.operation, r.calls, r.callsPerSecond, r.p50Ms, r.p99Ms]),
    ),
  ].join('\n');
}

export function eventPathSection({ latency, throughput }: EventPathResults): string {
  const row = (stage: string, s: LatencySummary): Cell[] => [stage, s.samples, s.p50Ms, s.p99Ms, s.maxMs];
  const missing = latency.events - latency.visible;
  return [
    '## Event path (issue 4)',
    '',
    `### Commit → visible in analytics`,
    '',
    `${latency.events} patients created through the HTTP API (serverless offline) at up to ${latency.ratePerSecond}/s ` +
      `(${(latency.events / latency.createSeconds).toFixed(1)}/s achieved, ${latency.createSeconds.toFixed(1)} s), after a warm-up; ${latency.visible} of their events counted by analytics` +
      (missing > 0 ? ` — **${missing} not counted in time**` : '') +
      (latency.failedCreates > 0 ? ` (${latency.failedCreates} creation(s) failed and are left out, e.g. "${latency.firstFailure ?? ''}")` : '') +
      '. Database timestamps on both sides: commit = outbox.created_at (the transaction\'s start, so slightly early), ' +
      'published = outbox.published_at (set by the relay after Kafka acknowledged), counted = analytics.processed_events.processed_at.',
    '',
    markdownTable(
      ['stage', 'events', 'p50 ms', 'p99 ms', 'max ms'],
      [
        row('POST /api/patients → 201 (client)', latency.createResponse),
        row('commit → published to Kafka (relay)', latency.commitToPublished),
        row('published → counted (event source + consumer)', latency.publishedToCounted),
        row('**commit → counted in analytics**', latency.commitToCounted),
        row('201 received → counted in analytics', latency.responseToCounted),
      ],
    ),
    '',
    '### Events per second out of the outbox',
    '',
    'The same number of PatientEvent messages of the same size, in batches of the same size, to the same topic with the same ' +
      'producer settings (idempotent, acks=all, one request in flight). The two paths alternate, round by round; ' +
      'events/s is the median round (slowest – fastest). "counted after" is when analytics had counted the last event of a run, from its start (median).',
    '',
    markdownTable(
      ['path', 'events × rounds', 'batch', 'events/s', 'slowest – fastest', 'counted after s'],
      throughput.map((t) => [
        t.path,
        `${t.events} × ${t.rounds}`,
        t.batchSize,
        t.eventsPerSecond.median,
        `${formatNumber(t.eventsPerSecond.min)} – ${formatNumber(t.eventsPerSecond.max)}`,
        t.countedAfterSeconds ?? 'timed out',
      ]),
    ),
  ].join('\n');
}

/** What makes a run's numbers untrustworthy (a service of the stack stopped answering…); empty when none. */
export function problemsOf({ latency, throughput }: EventPathResults): string[] {
  const problems: string[] = [];
  if (latency.visible < latency.events) problems.push(`${latency.events - latency.visible} of ${latency.events} latency events were never counted by analytics`);
  for (const t of throughput) if (t.countedAfterSeconds === undefined) problems.push(`analytics did not catch up with a "${t.path}" run`);
  return problems;
}
