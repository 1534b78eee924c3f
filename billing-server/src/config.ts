/**
 * Configuration of the billing server, read once from the environment and frozen.
 * Fails fast with a clear message when the database is not configured.
 */
export interface BillingServerConfig {
  readonly databaseUrl: string;
  readonly host: string;
  readonly port: number;
  /** How long in-flight calls may run after SIGTERM before they are cut off. */
  readonly shutdownGraceMs: number;
  readonly logLevel: string;
  /** Server reflection (grpcurl list/describe): on locally, off in production (the task definition sets false). */
  readonly reflection: boolean;
}

export function readBillingServerConfig(env: NodeJS.ProcessEnv = process.env): BillingServerConfig {
  // The billing schema may live in its own database; sharing the functions' database is the local default.
  const databaseUrl = env.BILLING_DATABASE_URL ?? env.DATABASE_URL;
  if (!databaseUrl) {
    throw new Error('BILLING_DATABASE_URL (or DATABASE_URL) must be set to the PostgreSQL URL of the billing schema');
  }
  return Object.freeze({
    databaseUrl,
    // localhost for local development; the container sets BILLING_HOST=0.0.0.0.
    host: env.BILLING_HOST ?? 'localhost',
    port: readInteger(env, 'BILLING_PORT', 9001),
    shutdownGraceMs: readInteger(env, 'BILLING_SHUTDOWN_GRACE_MS', 10_000),
    logLevel: env.LOG_LEVEL ?? 'info',
    reflection: readBoolean(env, 'BILLING_REFLECTION', true),
  });
}

function readBoolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new Error(`${name} must be "true" or "false", got "${raw}"`);
}

function readInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}
