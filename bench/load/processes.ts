/**
 * What the stack's processes cost while the load runs: memory of each process (PSS, so PostgreSQL's
 * shared buffers count once across its backends) sampled every second, and the most database
 * connections seen in pg_stat_activity.
 */
import { readdirSync, readFileSync } from 'node:fs';
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

function processes(): ProcInfo[] {
  const found: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      found.push({ pid: Number(entry), ppid, commandLine });
    } catch {
      // the process ended while we looked
    }
  }
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

export function sampleMemory(matchers: ProcessMatcher[], startedAt: number): MemorySample {
  const all = processes();
  const mbByProcess: Record<string, number> = {};
  const rssMbByProcess: Record<string, number> = {};
  for (const matcher of matchers) {
    const roots = all.filter((p) => matcher.matches(p.commandLine, p.pid));
    const pids = new Set(roots.map((p) => p.pid));
    if (matcher.withChildren) for (const p of all) if (pids.has(p.ppid)) pids.add(p.pid);
    mbByProcess[matcher.name] = [...pids].reduce((sum, pid) => sum + memoryKb(pid, 'Pss'), 0) / 1024;
    rssMbByProcess[matcher.name] = [...pids].reduce((sum, pid) => sum + memoryKb(pid, 'Rss'), 0) / 1024;
  }
  return { atSeconds: (performance.now() - startedAt) / 1000, rssMbByProcess, mbByProcess };
}

/** Samples memory and database connections every second until stopped. */
export function startSampling(matchers: ProcessMatcher[], adminDatabaseUrl: string) {
  const startedAt = performance.now();
  const memory: MemorySample[] = [sampleMemory(matchers, startedAt)];
  const client = new pg.Client({ connectionString: adminDatabaseUrl, application_name: 'bench-sampler' });
  let maxConnections = 0;
  let connected: Promise<unknown> = client.connect();
  const timer = setInterval(() => {
    memory.push(sampleMemory(matchers, startedAt));
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
