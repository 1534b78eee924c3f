/**
 * A real billing server on a free port over a fresh, migrated database, plus a generated client for it.
 * One per integration test file.
 */
import { createServer } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import pg from 'pg';
import { BillingServiceClient } from '../../../proto/generated/billing.js';
import { createTestDatabase } from '../../../test/support/database.js';
import { createLogger } from '../../src/logger.js';
import { startBillingServer, type BillingServerOptions, type RunningBillingServer } from '../../src/server.js';

export interface BillingTestServer {
  server: RunningBillingServer;
  client: BillingServiceClient;
  databaseUrl: string;
  /** Direct SQL access for assertions (row counts) and for holding locks. */
  sql: pg.Pool;
  close(): Promise<void>;
}

/** `options` override the server's defaults (reflection, database probe timing). */
export async function startBillingTestServer(
  options: Partial<Omit<BillingServerOptions, 'databaseUrl' | 'port'>> = {},
): Promise<BillingTestServer> {
  const database = await createTestDatabase('billing');
  const server = await startBillingServer({ databaseUrl: database.url, port: 0, logger: createLogger('silent'), ...options });
  const client = new BillingServiceClient(server.address, grpc.credentials.createInsecure());
  const sql = new pg.Pool({ connectionString: database.url, max: 3 });
  // pool.end() resolves before its clients' connections have closed; the drop below may terminate one
  // (57P01), which the pool re-emits as 'error', and unheard that is an uncaught exception.
  sql.on('error', () => undefined);
  return {
    server,
    client,
    databaseUrl: database.url,
    sql,
    close: async () => {
      client.close();
      await server.stop(1_000);
      await sql.end();
      await database.drop();
    },
  };
}

type UnaryMethod<Request, Response> = (
  request: Request,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (error: grpc.ServiceError | null, response: Response) => void,
) => grpc.ClientUnaryCall;

/** Promise form of a generated client method: `call(client.getBillingAccount.bind(client), request)`. */
export function call<Request, Response>(
  method: UnaryMethod<Request, Response>,
  request: Request,
  options: { deadlineMs?: number; deadline?: Date } = {},
): Promise<Response> {
  const deadline = options.deadline ?? new Date(Date.now() + (options.deadlineMs ?? 5_000));
  return new Promise((resolve, reject) => {
    method(request, new grpc.Metadata(), { deadline }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

/** An assert.rejects matcher for a gRPC status code. */
export function grpcError(code: grpc.status, details?: RegExp) {
  return (error: unknown): boolean => {
    const serviceError = error as Partial<grpc.ServiceError>;
    if (serviceError.code !== code) throw new Error(`expected ${grpc.status[code]}, got ${String(serviceError.code)}: ${String(serviceError.details)}`);
    if (details && !details.test(serviceError.details ?? '')) throw new Error(`details "${serviceError.details}" do not match ${details}`);
    return true;
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export async function countRows(sql: pg.Pool, table: string, where: string, values: unknown[]): Promise<number> {
  const result = await sql.query<{ count: string }>(`select count(*) from billing.${table} where ${where}`, values);
  return Number(result.rows[0]?.count);
}
