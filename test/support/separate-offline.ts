/**
 * A serverless offline of a test file's own, beside the one scripts/test.ts started: on free ports, over the
 * same database, broker and signing keys (so the stack's access tokens work on it), logging into the stack's
 * logs folder (which the log scan reads and `npm test` keeps). For what the shared instance cannot show: a
 * function not loaded yet, or a function timeout shorter than the stack's.
 */
import { readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { startOffline } from '../../scripts/local/offline.js';
import { API_URL } from './api.js';

export interface SeparateOffline {
  url: string;
  /** Its Lambda Invoke API. */
  lambdaEndpoint: string;
  /** Everything the instance wrote: its own lines, and the functions' JSON lines. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the end-to-end tests with \`npm test\``);
  return value;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts it and waits until it answers. `params` override serverless.yml's params (`--param`), `env` adds to
 * the functions' environment. `name` names its log file: `<TEST_STACK_DIR>/logs/<name>.log`.
 */
export async function startSeparateOffline(
  name: string,
  options: { params?: Record<string, string>; env?: Record<string, string> } = {},
): Promise<SeparateOffline> {
  const stackDir = required('TEST_STACK_DIR');
  const [httpPort, lambdaPort] = [await freePort(), await freePort()];
  const logFile = path.join(stackDir, 'logs', `${name}.log`);
  const jwks = await fetch(`${API_URL}/.well-known/jwks.json`);
  if (!jwks.ok) throw new Error(`the stack's JWKS answered ${jwks.status}`);
  const env: Record<string, string> = {
    DATABASE_URL: required('TEST_STACK_DATABASE_URL'),
    JWT_PRIVATE_KEY: process.env.JWT_PRIVATE_KEY ?? (await readFile(path.join(stackDir, 'dev-signing-key.pem'), 'utf8')),
    JWT_PUBLIC_JWKS: await jwks.text(),
    JWT_ISSUER: required('JWT_ISSUER'),
    KAFKA_BROKERS: required('KAFKA_BROKERS'),
    BILLING_GRPC_ADDRESS: required('BILLING_GRPC_ADDRESS'),
    // Its own functions kick its own relay (the outbox is shared; the relay is safe to run twice at once).
    LAMBDA_ENDPOINT: `http://localhost:${lambdaPort}`,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    LOG_LEVEL: 'info',
    ...options.env,
  };
  const extraArgs = Object.entries(options.params ?? {}).map(([key, value]) => `--param=${key}=${value}`);
  const offline = await startOffline({ httpPort, lambdaPort, env, logFile, extraArgs });
  return {
    url: offline.url,
    lambdaEndpoint: offline.lambdaEndpoint,
    log: () => readFile(logFile, 'utf8'),
    stop: async () => {
      await offline.stop();
      // startOffline bundles into a folder named after the port: this one is not used again.
      await rm(path.join('.esbuild', `offline-${httpPort}`), { recursive: true, force: true });
    },
  };
}
