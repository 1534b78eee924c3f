/**
 * The billing side of the end-to-end tests: the real billing server on the stack's billing port
 * (scripts/test.ts does not start one, so each file that needs billing starts, stops and restarts its own),
 * and direct SQL on schema `billing` to count what the server stored.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { spawnBillingServer, type SpawnedBillingServer } from '../../billing-server/launcher.js';
import { API_URL, call, eventually, newPatient } from './api.js';

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run end-to-end tests with \`npm test\``);
  return value;
}

/**
 * Starts the billing server on TEST_BILLING_PORT over the stack's database (where the functions dial it);
 * calling it again after stop() is a restart on the same port and data. Logs go to the stack's logs folder,
 * which `npm test` keeps in .local/test-logs/.
 */
export function startBillingServer(logName: string): Promise<SpawnedBillingServer> {
  const logs = path.join(requiredEnv('TEST_STACK_DIR'), 'logs');
  mkdirSync(logs, { recursive: true });
  return spawnBillingServer({
    databaseUrl: requiredEnv('TEST_STACK_DATABASE_URL'),
    port: Number(requiredEnv('TEST_BILLING_PORT')),
    logFile: path.join(logs, `${logName}.log`),
    // Tests never have calls in flight worth draining when they stop it.
    shutdownGraceMs: 1_000,
  });
}

let pool: pg.Pool | undefined;

function billingDatabase(): pg.Pool {
  pool ??= new pg.Pool({ connectionString: requiredEnv('TEST_STACK_DATABASE_URL'), max: 2 });
  return pool;
}

/** How many rows of billing.accounts belong to the patient (the server's unique constraint says at most 1). */
export async function billingAccountCount(patientId: string): Promise<number> {
  const result = await billingDatabase().query<{ count: string }>('select count(*) from billing.accounts where patient_id = $1', [patientId]);
  return Number(result.rows[0]?.count);
}

/** The invoices billing stored on the patient's account, oldest first: what exists, whatever a view shows. */
export async function storedInvoices(patientId: string): Promise<{ currency: string; totalMinorUnits: string; idempotencyKey: string }[]> {
  const result = await billingDatabase().query<{ currency: string; totalMinorUnits: string; idempotencyKey: string }>(
    `select i.currency, i.total_amount::text as "totalMinorUnits", i.idempotency_key as "idempotencyKey"
     from billing.invoices i join billing.accounts a on a.account_id = i.account_id
     where a.patient_id = $1 order by i.sequence`,
    [patientId],
  );
  return result.rows;
}

export async function closeBillingDatabase(): Promise<void> {
  await pool?.end();
  pool = undefined;
}

/**
 * Registers a patient and polls its billing view until it answers 200 with an account, so later requests
 * meet warm functions and a connected relay. Each attempt is cut off after 15 s: a cold getPatientBilling
 * under serverless-offline has been seen to stall past its 10 s Lambda timeout, and the next attempt then
 * gets a fresh worker.
 */
export async function warmUpBillingView(token: string): Promise<void> {
  const created = await call('POST', '/api/patients', { token, body: newPatient() });
  if (created.status !== 201) throw new Error(`registering the warm-up patient failed: ${created.status} ${created.text}`);
  const { id } = created.body as { id: string };
  await eventually(async () => {
    const response = await fetch(`${API_URL}/api/patients/${id}/billing`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(15_000),
    }).catch(() => undefined);
    const body = response?.ok ? ((await response.json()) as { account?: unknown }) : undefined;
    return body?.account ? true : undefined;
  }, 60_000);
}
