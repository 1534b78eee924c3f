/**
 * Billing gRPC benchmark (not a test): CreateBillingAccount and GetBillingAccount through a real server and
 * PostgreSQL, beside a bare grpc-js unary ping measured in the same run, so the numbers show what billing adds
 * on top of gRPC itself on this machine. Loopback only, bounded: a few thousand calls at a small concurrency.
 *
 *   npx tsx bench/billing.bench.ts          # DATABASE_URL, or a throwaway database via TEST_ADMIN_DATABASE_URL
 *
 * `npm run bench` (bench/run.ts) calls benchmarkBilling() against a throwaway database of its own stack.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { BillingServiceClient } from '../proto/generated/billing.js';
import { createLogger } from '../billing-server/src/logger.js';
import { startBillingServer } from '../billing-server/src/server.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';

const callsPerOperation = Number(process.env.BENCH_CALLS ?? 3_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const warmupCalls = 200;

export interface Result {
  operation: string;
  calls: number;
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** Runs `call(i)` for i in [0, total) with `concurrency` callers in flight; returns per-call latencies. */
async function measure(operation: string, total: number, call: (index: number) => Promise<unknown>): Promise<Result> {
  const latencies: number[] = [];
  let next = 0;
  const startedAt = performance.now();
  const worker = async (): Promise<void> => {
    while (next < total) {
      const index = next++;
      const callStartedAt = performance.now();
      await call(index);
      latencies.push(performance.now() - callStartedAt);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedSeconds = (performance.now() - startedAt) / 1_000;
  latencies.sort((a, b) => a - b);
  const percentile = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return { operation, calls: total, callsPerSecond: total / elapsedSeconds, p50Ms: percentile(50), p99Ms: percentile(99) };
}

function unary<Response>(start: (callback: (error: grpc.ServiceError | null, response: Response) => void) => void): Promise<Response> {
  return new Promise((resolve, reject) => start((error, response) => (error ? reject(error) : resolve(response))));
}

/** The baseline: a grpc-js unary method that echoes raw bytes, no protobuf and no database. */
const pingService = {
  ping: {
    path: '/bench.Ping/Ping',
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (value: Buffer) => value,
    responseSerialize: (value: Buffer) => value,
    responseDeserialize: (value: Buffer) => value,
  },
} satisfies grpc.ServiceDefinition;

interface PingClient extends grpc.Client {
  ping(request: Buffer, options: Partial<grpc.CallOptions>, callback: (error: grpc.ServiceError | null, response: Buffer) => void): void;
}

async function benchPing(): Promise<Result> {
  const server = new grpc.Server();
  server.addService(pingService, { ping: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, call.request) });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  const PingClientConstructor = grpc.makeGenericClientConstructor(pingService, 'bench.Ping');
  const client = new PingClientConstructor(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as PingClient;
  const payload = Buffer.from(randomUUID());
  const ping = () => unary<Buffer>((cb) => client.ping(payload, { deadline: Date.now() + 5_000 }, cb));
  try {
    await measure('warm-up', warmupCalls, ping);
    return await measure('bare grpc-js ping', callsPerOperation, ping);
  } finally {
    client.close();
    server.forceShutdown();
  }
}

async function benchBilling(databaseUrl: string): Promise<Result[]> {
  const server = await startBillingServer({ databaseUrl, host: '127.0.0.1', port: 0, logger: createLogger('silent') });
  const client = new BillingServiceClient(server.address, grpc.credentials.createInsecure());
  const deadline = () => ({ deadline: Date.now() + 5_000 });
  const create = (patientId: string) =>
    unary((cb) => client.createBillingAccount({ patientId, name: 'Bench Patient', email: 'bench@example.org' }, new grpc.Metadata(), deadline(), cb));
  const get = (patientId: string) => unary((cb) => client.getBillingAccount({ patientId }, new grpc.Metadata(), deadline(), cb));
  const patients = Array.from({ length: callsPerOperation }, () => randomUUID());
  try {
    await measure('warm-up', warmupCalls, () => create(randomUUID()));
    const created = await measure('CreateBillingAccount (new patient)', callsPerOperation, (i) => create(patients[i] as string));
    const repeated = await measure('CreateBillingAccount (repeat)', callsPerOperation, (i) => create(patients[i] as string));
    const read = await measure('GetBillingAccount', callsPerOperation, (i) => get(patients[i] as string));
    return [created, repeated, read];
  } finally {
    client.close();
    await server.stop(1_000);
  }
}

/** The ping baseline, then the billing operations, against `databaseUrl` (migrated by the billing server). */
export async function benchmarkBilling(databaseUrl: string): Promise<Result[]> {
  const ping = await benchPing();
  const billing = await benchBilling(databaseUrl);
  return [ping, ...billing];
}

export const billingBenchSettings = { callsPerOperation, concurrency, warmupCalls };

function printTable(results: Result[]): void {
  const rows = results.map((r) => [r.operation, String(r.calls), r.callsPerSecond.toFixed(0), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2)]);
  const header = ['operation', 'calls', 'calls/s', 'p50 ms', 'p99 ms'];
  const widths = header.map((h, column) => Math.max(h.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  let throwaway: TestDatabase | undefined;
  try {
    const databaseUrl = process.env.DATABASE_URL ?? (throwaway = await createTestDatabase('bench')).url;
    console.log(`billing benchmark: ${callsPerOperation} calls per operation, concurrency ${concurrency}, loopback, node ${process.version}\n`);
    printTable(await benchmarkBilling(databaseUrl));
  } finally {
    await throwaway?.drop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
