/**
 * What the stack's processes cost while the load runs: memory of each process (PSS, so PostgreSQL's
 * shared buffers count once across its backends) every few seconds, and the most database connections
 * seen in pg_stat_activity every second. The sampling runs in a process of its own (bench/load/sampler.ts):
 * reading /proc synchronously in the load generator stalled its event loop for tens of milliseconds a
 * second, which showed up as the routes' p99 and cut the load the generator could send.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export interface ProcessMatcher {
  name: string;
  /** Is this the process (its command line, NUL-separated arguments joined by spaces)? */
  matches: (commandLine: string, pid: number) => boolean;
  /** Count its child processes too (PostgreSQL's backends). */
  withChildren?: boolean;
}

export interface MemorySample {
  atSeconds: number;
  /** Resident set size per process (PostgreSQL: the postmaster and its backends together). */
  rssMbByProcess: Record<string, number>;
  /** Proportional set size per process: shared pages (PostgreSQL's shared buffers) counted once across processes. */
  mbByProcess: Record<string, number>;
}

interface ProcInfo {
  pid: number;
  ppid: number;
  commandLine: string;
}

/** Processes seen so far: a process's parent and command line are read once, when it first appears. */
const known = new Map<number, ProcInfo>();

function processes(): ProcInfo[] {
  const found: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let info = known.get(pid);
    if (!info) {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
        info = { pid, ppid, commandLine };
        known.set(pid, info);
      } catch {
        continue; // the process ended while we looked
      }
    }
    found.push(info);
  }
  const present = new Set(found.map((p) => p.pid));
  for (const pid of known.keys()) if (!present.has(pid)) known.delete(pid);
  return found;
}

function memoryKb(pid: number, field: 'Pss' | 'Rss'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Which matcher each process answered to, asked once per process (a matcher may read /proc/<pid>/environ). */
const matched = new Map<string, boolean>();

function matches(matcher: ProcessMatcher, p: ProcInfo): boolean {
  const key = `${matcher.name}\0${p.pid}\0${p.commandLine}`;
  let answer = matched.get(key);
  if (answer === undefined) matched.set(key, (answer = matcher.matches(p.commandLine, p.pid)));
  return answer;
}

export function sampleMemory(matchers: ProcessMatcher[], startedAt: number): MemorySample {
  const all = processes();
  const mbByProcess: Record<string, number> = {};
  const rssMbByProcess: Record<string, number> = {};
  for (const matcher of matchers) {
    const roots = all.filter((p) => matches(matcher, p));
    const pids = new Set(roots.map((p) => p.pid));
    if (matcher.withChildren) for (const p of all) if (pids.has(p.ppid)) pids.add(p.pid);
    mbByProcess[matcher.name] = [...pids].reduce((sum, pid) => sum + memoryKb(pid, 'Pss'), 0) / 1024;
    rssMbByProcess[matcher.name] = [...pids].reduce((sum, pid) => sum + memoryKb(pid, 'Rss'), 0) / 1024;
  }
  return { atSeconds: (performance.now() - startedAt) / 1000, rssMbByProcess, mbByProcess };
}

const MEMORY_EVERY_SECONDS = 5;

/** Samples database connections every second and memory every few seconds, in this process, until stopped. */
export function startSampling(matchers: ProcessMatcher[], adminDatabaseUrl: string) {
  const startedAt = performance.now();
  const memory: MemorySample[] = [sampleMemory(matchers, startedAt)];
  const client = new pg.Client({ connectionString: adminDatabaseUrl, application_name: 'bench-sampler' });
  let maxConnections = 0;
  let connected: Promise<unknown> = client.connect();
  let ticks = 0;
  const timer = setInterval(() => {
    if ((ticks += 1) % MEMORY_EVERY_SECONDS === 0) memory.push(sampleMemory(matchers, startedAt));
    connected = connected
      .then(() => client.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where backend_type = 'client backend' and application_name <> 'bench-sampler'`))
      .then((result) => void (maxConnections = Math.max(maxConnections, result.rows[0]?.n ?? 0)))
      .catch(() => undefined);
  }, 1000);
  return {
    stop: async () => {
      clearInterval(timer);
      await connected.catch(() => undefined);
      await client.end().catch(() => undefined);
      memory.push(sampleMemory(matchers, startedAt));
      return { memory, maxConnections };
    },
  };
}

export interface SamplingResult {
  memory: MemorySample[];
  maxConnections: number;
}

/** What the sampler process needs to tell the stack's processes apart from another stack's (npm run dev beside). */
export interface SampledStack {
  databaseUrl: string;
  adminDatabaseUrl: string;
  stateDir: string;
  /** The bench's own process: the load generator and the Kafka event source. */
  benchPid: number;
}

const environ = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return '';
  }
};

export function stackProcesses(stack: SampledStack): ProcessMatcher[] {
  const databaseMark = new URL(stack.databaseUrl).port;
  const usesOurDatabase = (pid: number) => environ(pid).includes(`:${databaseMark}/`);
  return [
    { name: 'serverless offline', matches: (cmd, pid) => cmd.includes('offline-process.mjs') && usesOurDatabase(pid) },
    { name: 'billing server', matches: (cmd, pid) => cmd.includes('billing-server/src/main.ts') && usesOurDatabase(pid) },
    { name: 'Kafka broker', matches: (cmd) => cmd.includes('java') && cmd.includes(stack.stateDir) },
    { name: 'PostgreSQL', matches: (cmd) => /postgres\b/.test(cmd) && cmd.includes(`${stack.stateDir}/postgres`), withChildren: true },
    { name: 'bench (load generator, Kafka event source)', matches: (_cmd, pid) => pid === stack.benchPid },
  ];
}

/** Starts bench/load/sampler.ts beside the load generator; `stop()` ends it and returns what it saw. */
export function startSamplerProcess(stack: SampledStack): { stop(): Promise<SamplingResult> } {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./sampler.ts', import.meta.url)), JSON.stringify(stack)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const result = new Promise<SamplingResult>((resolve, reject) => {
    child.once('message', (message) => resolve(message as SamplingResult));
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`the memory sampler exited early (${signal ?? code})`)));
  });
  result.catch(() => undefined); // read by stop(); an early exit must not count as unhandled meanwhile
  return {
    stop: () => {
      if (child.connected) child.send('stop');
      return result;
    },
  };
}
