import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { isStillThe, recordProcess, stopLeftovers } from './leftovers.js';
import { isAlive } from './process-alive.js';

const stateDir = await mkdtemp(path.join(os.tmpdir(), 'pm-leftovers-'));
after(() => rm(stateDir, { recursive: true, force: true }));

function leftBehind(marker: string) {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', marker], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { pid: child.pid!, exited };
}

describe('what a run killed outright left behind', () => {
  test('a recorded process that still runs what was recorded is stopped, and its record removed', async () => {
    const billing = leftBehind('billing-server/src/main.ts --port 19001');
    await recordProcess(stateDir, 'billing', { pid: billing.pid, group: false, marker: 'billing-server/src/main.ts' });
    assert.equal(isStillThe(billing.pid, 'billing-server/src/main.ts'), true);

    const stopped = await stopLeftovers(stateDir);
    await billing.exited;
    assert.deepEqual(stopped, [`billing (pid ${billing.pid})`]);
    assert.equal(isAlive(billing.pid), false);
    assert.equal(existsSync(path.join(stateDir, 'run', 'billing.pid')), false);
  });

  test('a record cut short (the run was killed while writing it) is removed and stops nothing', async () => {
    await mkdir(path.join(stateDir, 'run'), { recursive: true });
    await writeFile(path.join(stateDir, 'run', 'offline.pid'), '{"pid":12');
    assert.deepEqual(await stopLeftovers(stateDir), []);
    assert.equal(existsSync(path.join(stateDir, 'run', 'offline.pid')), false);
  });

  test('a recorded pid now used by another program is left alone', async () => {
    const other = leftBehind('something-else');
    try {
      await recordProcess(stateDir, 'offline', { pid: other.pid, group: true, marker: '--httpPort 4000' });
      assert.deepEqual(await stopLeftovers(stateDir), []);
      assert.equal(isAlive(other.pid), true);
    } finally {
      process.kill(other.pid);
      await other.exited;
    }
  });
});
