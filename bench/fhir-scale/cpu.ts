/**
 * CPU time (user + system, from /proc: Linux only) of the processes that serve the FHIR scale benchmark:
 * serverless offline (the one process that runs every function's handler), PostgreSQL (the postmaster, its live
 * children and the children it has reaped: backends, autovacuum, WAL writer …) and this process (the load
 * generator). Divided by the requests of a run, it is what one request costs the machine; unlike a latency at 10
 * connections, it does not depend on how many requests queue for the machine's two cores.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuPerRequest {
  offline: number;
  postgres: number;
  client: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

const commandLine = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
};

/** [parent pid, own CPU ms, reaped children's CPU ms] of a process, or undefined once it is gone. */
function stat(pid: number): [number, number, number] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
    const ms = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;
    return [fields[1]!, ms(fields[11]! + fields[12]!), ms(fields[13]! + fields[14]!)];
  } catch {
    return undefined;
  }
}

const pids = () => readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);

/**
 * A sampler of the CPU ms spent so far by serverless offline (found by its HTTP port), PostgreSQL (by its port)
 * and this process; undefined where /proc is missing or either process cannot be found.
 */
export function cpuSampler(httpPort: number, postgresPort: number): (() => CpuPerRequest) | undefined {
  let all: number[];
  try {
    all = pids();
  } catch {
    return undefined;
  }
  const offline = all.find((pid) => / offline start .*--httpPort (\d+)/.exec(commandLine(pid))?.[1] === String(httpPort));
  const postmaster = all.find((pid) => /\/postgres -D /.test(commandLine(pid)) && / -p (\d+)/.exec(commandLine(pid))?.[1] === String(postgresPort));
  if (offline === undefined || postmaster === undefined) return undefined;
  return () => {
    const [, offlineMs = 0] = stat(offline) ?? [];
    const [, postmasterMs = 0, reapedMs = 0] = stat(postmaster) ?? [];
    const childrenMs = pids().reduce((sum, pid) => {
      const child = stat(pid);
      return child && child[0] === postmaster ? sum + child[1] : sum;
    }, 0);
    const own = process.cpuUsage();
    return { offline: offlineMs, postgres: postmasterMs + reapedMs + childrenMs, client: (own.user + own.system) / 1000 };
  };
}

/** CPU ms per request between two samples. */
export function perRequest(before: CpuPerRequest, after: CpuPerRequest, requests: number): CpuPerRequest {
  const per = (key: keyof CpuPerRequest) => (after[key] - before[key]) / Math.max(1, requests);
  return { offline: per('offline'), postgres: per('postgres'), client: per('client') };
}
