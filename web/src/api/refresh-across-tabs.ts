/**
 * Tabs of one browser share the refresh cookie, and a refresh token works once: two tabs presenting it at the
 * same instant would look like a stolen token being replayed, and the API would end the sign-in. So renewals
 * take turns across tabs (Web Locks): the next tab sends the cookie the previous one got back. The tab that
 * renewed tells the others (BroadcastChannel); a tab that was waiting for its turn meanwhile takes that token
 * instead of rotating the cookie once more.
 */
import type { Tokens } from './session';

/** The parts of the browser this needs (tests pass fakes). */
export interface Tabs {
  locks?: { request<T>(name: string, work: () => Promise<T>): Promise<T> };
  channel?: { postMessage(message: unknown): void; addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void };
  now(): number;
}

interface Renewed {
  tokens: Tokens;
  /** When the renewing tab got them (ms). */
  at: number;
}

function browserTabs(): Tabs {
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('pm-session') : undefined;
  const locks = globalThis.navigator?.locks as Tabs['locks'] | undefined;
  return { locks, channel, now: Date.now };
}

export function refreshAcrossTabs(refresh: () => Promise<Tokens | undefined>, tabs: Tabs = browserTabs()): () => Promise<Tokens | undefined> {
  let renewedElsewhere: Renewed | undefined;
  tabs.channel?.addEventListener('message', ({ data }) => {
    renewedElsewhere = data as Renewed;
  });
  const oneAtATime = <T>(work: () => Promise<T>) => (tabs.locks ? tabs.locks.request('pm-session-refresh', work) : work());

  return () => {
    const askedAt = tabs.now();
    return oneAtATime(async () => {
      const elsewhere = renewedElsewhere;
      if (elsewhere && elsewhere.at >= askedAt) {
        const left = elsewhere.tokens.expiresIn - (tabs.now() - elsewhere.at) / 1000;
        return { token: elsewhere.tokens.token, expiresIn: Math.floor(left) };
      }
      const tokens = await refresh();
      if (tokens) tabs.channel?.postMessage({ tokens, at: tabs.now() } satisfies Renewed);
      return tokens;
    });
  };
}
