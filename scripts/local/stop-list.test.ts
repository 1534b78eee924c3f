import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createStopList } from './stop-list.js';

function recorder() {
  const events: string[] = [];
  const logged: string[] = [];
  const list = createStopList({ log: (line) => logged.push(line), timeoutMs: 50 });
  const component = (name: string, stop: () => Promise<void> = async () => undefined) =>
    list.add(name, async () => {
      events.push(`stop ${name}`);
      await stop();
    });
  return { events, logged, list, component };
}

describe('stopping what a stack started', () => {
  test('components stop in the reverse order of starting: the API before the broker before the database', async () => {
    const { events, list, component } = recorder();
    for (const name of ['postgres', 'kafka', 'billing', 'offline']) component(name);
    await list.stopAll();
    assert.deepEqual(events, ['stop offline', 'stop billing', 'stop kafka', 'stop postgres']);
  });

  test('one that fails or hangs is logged and the rest still stop', async () => {
    const { events, logged, list, component } = recorder();
    component('postgres');
    component('kafka', () => new Promise(() => undefined)); // never stops
    component('billing', () => Promise.reject(new Error('already gone')));
    await list.stopAll();
    assert.deepEqual(events, ['stop billing', 'stop kafka', 'stop postgres']);
    assert.equal(logged.length, 2);
    assert.match(logged[0]!, /stopping billing failed: .*already gone/);
    assert.match(logged[1]!, /stopping kafka failed: .*did not stop within 50 ms/);
  });

  test('stopping twice (Ctrl-C pressed during the stop) stops each component once', async () => {
    const { events, list, component } = recorder();
    component('postgres');
    component('offline');
    assert.equal(list.stopping, false);
    const first = list.stopAll();
    assert.equal(list.stopping, true);
    await Promise.all([first, list.stopAll()]);
    assert.deepEqual(events, ['stop offline', 'stop postgres']);
  });
});
