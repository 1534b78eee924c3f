import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDatabaseProbe } from './database-probe.js';

/** A check that answers from a script of outcomes (true = the database answered), then keeps the last one. */
function scriptedCheck(outcomes: boolean[]) {
  const calls = { count: 0 };
  const check = async (): Promise<void> => {
    const answered = outcomes[Math.min(calls.count, outcomes.length - 1)];
    calls.count += 1;
    if (!answered) throw new Error('connection refused');
  };
  return { check, calls };
}

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** Lets a check started by a timer finish and schedule the next one (setImmediate is not faked). */
const checkFinished = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the database probe', () => {
  test('reports each change of reachability once: lost, then back', async () => {
    const { check, calls } = scriptedCheck([true, false, false, false, true]);
    const changes: boolean[] = [];
    const probe = startDatabaseProbe({ check, intervalMs: 1, onChange: (reachable) => changes.push(reachable) });

    await waitFor(() => calls.count >= 7);
    await probe.stop();

    assert.deepEqual(changes, [false, true]);
  });

  test('passes on why the database is unreachable', async () => {
    const { check } = scriptedCheck([false]);
    const errors: unknown[] = [];
    const probe = startDatabaseProbe({ check, intervalMs: 1, onChange: (_, error) => errors.push(error) });

    await waitFor(() => errors.length > 0);
    await probe.stop();

    assert.match(String(errors[0]), /connection refused/);
  });

  test('checks nothing more once stopped', async (t) => {
    // Fake timers: the test moves the clock itself, so "nothing more" is checked over a minute, not a guess.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const { check, calls } = scriptedCheck([true]);
    const probe = startDatabaseProbe({ check, intervalMs: 1_000, onChange: () => undefined });
    for (let i = 0; i < 2; i += 1) {
      t.mock.timers.tick(1_000);
      await checkFinished();
    }
    assert.equal(calls.count, 2);

    await probe.stop();
    t.mock.timers.tick(60_000);
    await checkFinished();

    assert.equal(calls.count, 2);
  });

  test('reports nothing for a check that finishes after stop', async () => {
    let finishCheck: (() => void) | undefined;
    const changes: boolean[] = [];
    const probe = startDatabaseProbe({
      check: () => new Promise((_, reject) => (finishCheck = () => reject(new Error('timeout')))),
      intervalMs: 1,
      onChange: (reachable) => changes.push(reachable),
    });
    await waitFor(() => finishCheck !== undefined);

    const stopped = probe.stop();
    finishCheck?.();
    await stopped;

    assert.deepEqual(changes, []);
  });
});
