import { describe, expect, test, vi } from 'vitest';
import { refreshAcrossTabs, type Tabs } from './refresh-across-tabs';
import type { Tokens } from './session';

/** Tabs of one browser: a lock all of them share and a channel that reaches every other tab. */
function browserOf(tabCount: number) {
  let clock = 1_000;
  let queue = Promise.resolve();
  const locks: Tabs['locks'] = {
    request<T>(_name: string, work: () => Promise<T>) {
      const turn = queue.then(work);
      queue = turn.then(() => undefined, () => undefined);
      return turn;
    },
  };
  const listeners: ((event: { data: unknown }) => void)[][] = Array.from({ length: tabCount }, () => []);
  const tabs = listeners.map((own, index): Tabs => ({
    locks,
    now: () => clock,
    channel: {
      addEventListener: (_type, listener) => own.push(listener),
      postMessage: (data) => listeners.forEach((others, other) => other !== index && others.forEach((listener) => listener({ data }))),
    },
  }));
  return { tabs, advance: (ms: number) => (clock += ms) };
}

function cookieApi() {
  let rotations = 0;
  return vi.fn(async (): Promise<Tokens | undefined> => ({ token: `access-${++rotations}`, expiresIn: 900 }));
}

describe('refreshAcrossTabs', () => {
  test('tabs renewing at the same instant rotate the cookie once and share the token', async () => {
    const { tabs } = browserOf(2);
    const refresh = cookieApi();
    const [first, second] = tabs.map((tab) => refreshAcrossTabs(refresh, tab));
    const tokens = await Promise.all([first!(), second!()]);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(tokens).toEqual([{ token: 'access-1', expiresIn: 900 }, { token: 'access-1', expiresIn: 900 }]);
  });

  test('a token another tab got before this one asked is not reused: this tab renews itself', async () => {
    const { tabs, advance } = browserOf(2);
    const refresh = cookieApi();
    const [first, second] = tabs.map((tab) => refreshAcrossTabs(refresh, tab));
    await first!();
    advance(60_000);
    expect(await second!()).toEqual({ token: 'access-2', expiresIn: 900 });
    expect(refresh).toHaveBeenCalledTimes(2);
  });

  test('a refused renewal is not passed on', async () => {
    const { tabs } = browserOf(2);
    const refresh = vi.fn(async (): Promise<Tokens | undefined> => undefined);
    const [first, second] = tabs.map((tab) => refreshAcrossTabs(refresh, tab));
    expect(await Promise.all([first!(), second!()])).toEqual([undefined, undefined]);
    expect(refresh).toHaveBeenCalledTimes(2);
  });

  test('without Web Locks or channels (an old browser) each call renews', async () => {
    const refresh = cookieApi();
    const alone = refreshAcrossTabs(refresh, { now: () => 0 });
    await alone();
    await alone();
    expect(refresh).toHaveBeenCalledTimes(2);
  });
});
