/**
 * Keeps the health status honest after startup: every few seconds the database is asked `select 1`, and the
 * server reports NOT_SERVING while that fails, so the container health check lets ECS (or Docker) replace a task
 * that has lost its database, and SERVING again once it answers.
 */
import pg from 'pg';

export interface DatabaseProbe {
  /** No further checks; resolves once a check in flight has finished. */
  stop(): Promise<void>;
}

export interface DatabaseProbeOptions {
  /** Resolves when the database answers, rejects when it does not. */
  check(): Promise<void>;
  intervalMs: number;
  /** Called on every change only; the probe starts out assuming the database is reachable. */
  onChange(reachable: boolean, error?: unknown): void;
}

export function startDatabaseProbe({ check, intervalMs, onChange }: DatabaseProbeOptions): DatabaseProbe {
  let reachable = true;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const probeOnce = async (): Promise<void> => {
    let error: unknown;
    const answered = await check().then(
      () => true,
      (err: unknown) => {
        error = err;
        return false;
      },
    );
    if (stopped) return;
    if (answered !== reachable) {
      reachable = answered;
      onChange(answered, error);
    }
    schedule();
  };
  // A timeout chain rather than setInterval: a slow check never overlaps the next one.
  const schedule = (): void => {
    timer = setTimeout(() => {
      inFlight = probeOnce();
    }, intervalMs);
  };

  schedule();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}

/**
 * `select 1` over a connection of its own rather than one from the server's pool: a pool busy with slow calls
 * must not look like a dead database (and get a loaded task killed). Fails after `timeoutMs` to connect or answer.
 */
export async function pingDatabase(databaseUrl: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  // A connection that breaks mid-check also rejects the pending query; unhandled, 'error' would crash the server.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    // Not awaited: end() waits for the server's goodbye, which a vanished database never sends.
    client.end().catch(() => undefined);
  }
}
