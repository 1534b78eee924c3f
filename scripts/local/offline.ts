/** Runs `serverless offline` (stage local) as a child process and waits until its HTTP port answers. */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface OfflineHandle {
  url: string;
  lambdaEndpoint: string;
  /** Leads the process group serverless offline runs in. */
  pid: number;
  stop(): Promise<void>;
  /** Resolves when the process exits, for whatever reason. */
  exited: Promise<void>;
}

export async function startOffline(options: {
  httpPort: number;
  lambdaPort: number;
  env: Record<string, string>;
  logFile?: string;
  /** Aborted while it starts: stopped at once instead of waited for. */
  signal?: AbortSignal;
  /** More `serverless offline` options, e.g. `--param=functionTimeout=3` (a test's own instance). */
  extraArgs?: string[];
}): Promise<OfflineHandle> {
  const log = options.logFile ? openSync(options.logFile, 'a') : 'inherit';
  const child = spawn(
    process.execPath,
    [
      // For profiling, e.g. OFFLINE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (NODE_OPTIONS refuses those).
      ...(process.env.OFFLINE_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      'scripts/local/offline-process.mjs',
      'offline',
      'start',
      '--stage',
      'local',
      '--httpPort',
      String(options.httpPort),
      '--lambdaPort',
      String(options.lambdaPort),
      ...(options.extraArgs ?? []),
    ],
    {
      cwd: root,
      // Each instance bundles into its own folder, so `npm test` can run beside `npm run dev`.
      env: {
        ...process.env,
        ...options.env,
        SLS_TELEMETRY_DISABLED: '1',
        // serverless offline's own per-request lines (the authorizer ran, the route, the λ duration) cost
        // a formatted synchronous write each; the functions log every request themselves (pino).
        SLS_LOG_LEVEL: process.env.SLS_LOG_LEVEL ?? 'warning',
        ESBUILD_WORK_FOLDER: `.esbuild/offline-${options.httpPort}`,
        // The functions run in serverless offline's process, where a rebuilt module cannot be swapped in:
        // stack.ts restarts the whole of it on a change instead (npm run dev).
        ESBUILD_WATCH: '.esbuild/nothing-to-watch',
      },
      stdio: ['ignore', log, log],
      detached: true,
    },
  );
  if (typeof log === 'number') closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));

  const url = `http://localhost:${options.httpPort}`;
  const stop = async () => {
    if (!running || child.pid === undefined) return;
    // serverless-offline runs handlers in worker threads and esbuild watchers: stop the whole group.
    process.kill(-child.pid, 'SIGTERM');
    const force = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(force);
  };
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (!running) throw new Error(`serverless offline exited during start-up${options.logFile ? `; see ${options.logFile}` : ''}`);
    if (options.signal?.aborted) {
      await stop();
      options.signal.throwIfAborted();
    }
    try {
      const response = await fetch(`${url}/.well-known/openid-configuration`);
      if (response.ok) return { url, lambdaEndpoint: `http://localhost:${options.lambdaPort}`, pid: child.pid!, stop, exited };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await stop();
  throw new Error('serverless offline did not answer within 180 s');
}
