/**
 * A small client of the standard grpc.health.v1.Health protocol, for the container HEALTHCHECK,
 * the launcher (wait until SERVING) and tests.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { healthProtoFile, healthProtoRoot, protoLoaderOptions } from './proto-files.js';

export type HealthStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

interface HealthCheckClient extends grpc.Client {
  Check(
    request: { service: string },
    options: grpc.CallOptions,
    callback: (err: grpc.ServiceError | null, response?: { status: HealthStatus }) => void,
  ): grpc.ClientUnaryCall;
}

let HealthClient: grpc.ServiceClientConstructor | undefined;

function loadHealthClient(): grpc.ServiceClientConstructor {
  if (!HealthClient) {
    const definition = protoLoader.loadSync(healthProtoFile, { ...protoLoaderOptions, includeDirs: [healthProtoRoot] });
    // loadPackageDefinition returns a loosely typed tree; this path is fixed by health.proto.
    const health = grpc.loadPackageDefinition(definition).grpc as grpc.GrpcObject;
    HealthClient = ((health.health as grpc.GrpcObject).v1 as grpc.GrpcObject).Health as grpc.ServiceClientConstructor;
  }
  return HealthClient;
}

/** Status of `service` ('' = the whole server). Rejects with the gRPC error when the server cannot be reached. */
export async function checkHealth(address: string, options: { service?: string; deadlineMs?: number } = {}): Promise<HealthStatus> {
  const Client = loadHealthClient();
  const client = new Client(address, grpc.credentials.createInsecure()) as unknown as HealthCheckClient;
  try {
    return await new Promise<HealthStatus>((resolve, reject) => {
      client.Check({ service: options.service ?? '' }, { deadline: Date.now() + (options.deadlineMs ?? 1_000) }, (err, response) =>
        err ? reject(err) : resolve(response?.status ?? 'UNKNOWN'),
      );
    });
  } finally {
    client.close();
  }
}

/** Polls until the server reports SERVING; rejects after `timeoutMs` or when `isAbandoned()` turns true. */
export async function waitUntilServing(
  address: string,
  options: { timeoutMs: number; isAbandoned?: () => boolean },
): Promise<void> {
  const giveUpAt = Date.now() + options.timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < giveUpAt) {
    if (options.isAbandoned?.()) throw new Error(`stopped waiting for ${address} to serve`);
    try {
      const status = await checkHealth(address, { deadlineMs: 500 });
      if (status === 'SERVING') return;
      lastProblem = `health status ${status}`;
    } catch (err) {
      lastProblem = err instanceof Error ? err.message : String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`billing server at ${address} was not SERVING after ${options.timeoutMs} ms (${lastProblem})`);
}
