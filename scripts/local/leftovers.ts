/**
 * What a stack that was killed outright (SIGKILL, a lost machine) left running, found from its state dir and
 * stopped before a new stack starts there: the processes it recorded in `<stateDir>/run/*.pid`, its Kafka broker
 * (the broker's own pid file) and its embedded PostgreSQL (postmaster.pid). A recorded pid is only signalled
 * while its command line still names what was recorded, so a pid the system reused is left alone.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stopKafkaBrokerAt } from '../kafka/broker.js';
import { pidFilePath } from '../kafka/broker-config.js';
import { isAlive } from './process-alive.js';

export interface RecordedProcess {
  pid: number;
  /** Signal the whole process group the pid leads (serverless offline runs in a group of its own). */
  group: boolean;
  /** A string its command line holds (the script and port), checked before any signal. */
  marker: string;
}

const runDir = (stateDir: string) => path.join(stateDir, 'run');

export async function recordProcess(stateDir: string, name: string, recorded: RecordedProcess): Promise<void> {
  await mkdir(runDir(stateDir), { recursive: true });
  await writeFile(path.join(runDir(stateDir), `${name}.pid`), JSON.stringify(recorded));
}

export async function forgetProcess(stateDir: string, name: string): Promise<void> {
  await rm(path.join(runDir(stateDir), `${name}.pid`), { force: true });
}

/** Whether `pid` runs and its command line holds `marker` (where /proc exists to tell). */
export function isStillThe(pid: number, marker: string): boolean {
  if (!isAlive(pid)) return false;
  if (!existsSync('/proc')) return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(marker);
  } catch {
    return false;
  }
}

/** Stops everything a stack at `stateDir` left running; returns what it stopped, for the log. */
export async function stopLeftovers(stateDir: string, postgresDataDir?: string): Promise<string[]> {
  const stopped: string[] = [];
  for (const file of await readdir(runDir(stateDir)).catch(() => [] as string[])) {
    if (!file.endsWith('.pid')) continue;
    const recorded = parseRecord(await readFile(path.join(runDir(stateDir), file), 'utf8').catch(() => ''));
    if (typeof recorded.pid === 'number' && typeof recorded.marker === 'string' && isStillThe(recorded.pid, recorded.marker)) {
      await terminate(recorded.pid, Boolean(recorded.group));
      stopped.push(`${file.replace(/\.pid$/, '')} (pid ${recorded.pid})`);
    }
    await rm(path.join(runDir(stateDir), file), { force: true });
  }
  const kafkaDir = path.resolve(stateDir, 'kafka');
  if (existsSync(pidFilePath(kafkaDir))) {
    await stopKafkaBrokerAt(kafkaDir);
    stopped.push('kafka');
  }
  const postmaster = postgresDataDir && Number.parseInt(await readFile(path.join(postgresDataDir, 'postmaster.pid'), 'utf8').catch(() => ''), 10);
  if (typeof postmaster === 'number' && Number.isInteger(postmaster) && isStillThe(postmaster, postgresDataDir!)) {
    // SIGINT is PostgreSQL's fast shutdown: sessions are ended, not waited for.
    await terminate(postmaster, false, 'SIGINT');
    stopped.push(`postgres (pid ${postmaster})`);
  }
  return stopped;
}

/** A record cut short (the run was killed while writing it) names nothing to stop. */
function parseRecord(text: string): Partial<RecordedProcess> {
  try {
    return JSON.parse(text) as Partial<RecordedProcess>;
  } catch {
    return {};
  }
}

async function terminate(pid: number, group: boolean, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const send = (name: NodeJS.Signals) => {
    try {
      process.kill(group ? -pid : pid, name);
    } catch {
      // already gone
    }
  };
  send(signal);
  for (let waited = 0; isAlive(pid) && waited < 15_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  if (isAlive(pid)) send('SIGKILL');
  for (let waited = 0; isAlive(pid) && waited < 5_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
}
