/**
 * The signed-in session: the access token lives here, in memory only. The refresh token is an HttpOnly cookie
 * the page never sees; the session renews the access token before it expires, restores itself after a reload
 * from that cookie, and ends (back to sign-in) when the API refuses to renew it.
 */
export type Role = 'admin' | 'clinician' | 'analyst';

export interface Tokens {
  token: string;
  /** Seconds. */
  expiresIn: number;
}

export interface Identity {
  userId: string;
  role: Role;
  /** What the token allows (its `scope` claim): the console offers only what the API would do. */
  scopes: readonly string[];
}

/** What the session needs from the API (api/auth.ts talks HTTP; tests pass fakes). */
export interface AuthApi {
  /** Throws ApiError on a refusal. */
  login(email: string, password: string): Promise<Tokens>;
  /** Undefined when the API refuses (no cookie, revoked, disabled account); throws when it cannot be reached. */
  refresh(): Promise<Tokens | undefined>;
  /** Revokes the sign-in of the refresh cookie; the route wants the access token too. */
  logout(token: string): Promise<void>;
  /** Who the access token names (read from the token itself: no request). */
  identityOf(token: string): Identity;
}

export type SessionState =
  | { status: 'restoring' }
  | ({ status: 'signed-in'; token: string } & Identity)
  | { status: 'signed-out'; reason: 'not-signed-in' | 'signed-out' | 'ended' };

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A renewal that cannot reach the API is retried this often while the access token may still be valid. */
export const RETRY_MS = 5_000;

/**
 * When to renew a token that lives `expiresInSeconds`: a minute before it expires (a fifth of its life for
 * short tokens), never sooner than a second from now.
 */
export function refreshDelayMs(expiresInSeconds: number): number {
  const lifetimeMs = Math.max(0, expiresInSeconds) * 1000;
  return Math.max(1_000, lifetimeMs - Math.min(60_000, lifetimeMs / 5));
}

export interface Session {
  getState(): SessionState;
  subscribe(listener: () => void): () => void;
  /** After a page load: signed in again if the refresh cookie still works. */
  restore(): Promise<void>;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** A valid access token now, renewing it first when it expired; undefined when the session is over. */
  renew(): Promise<string | undefined>;
}

export function createSession(auth: AuthApi, timers: Timers = globalThis, now: () => number = Date.now): Session {
  let state: SessionState = { status: 'restoring' };
  let timer: unknown;
  let expiresAt = 0;
  let renewing: Promise<string | undefined> | undefined;
  let signingOut = false;
  const listeners = new Set<() => void>();

  const set = (next: SessionState) => {
    state = next;
    for (const listener of listeners) listener();
  };
  const cancelTimer = () => {
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
  };
  const end = (reason: 'not-signed-in' | 'signed-out' | 'ended') => {
    cancelTimer();
    expiresAt = 0;
    set({ status: 'signed-out', reason });
  };

  function adopt(tokens: Tokens) {
    const identity = auth.identityOf(tokens.token);
    expiresAt = now() + tokens.expiresIn * 1000;
    cancelTimer();
    timer = timers.setTimeout(() => void renew(), refreshDelayMs(tokens.expiresIn));
    set({ status: 'signed-in', token: tokens.token, ...identity });
    return tokens.token;
  }

  async function attemptRenewal(): Promise<string | undefined> {
    const wasSignedIn = state.status === 'signed-in';
    let tokens: Tokens | undefined;
    try {
      tokens = await auth.refresh();
    } catch {
      // The API could not be reached: keep the session while its token may still work, and try again.
      if (wasSignedIn && now() < expiresAt) {
        cancelTimer();
        timer = timers.setTimeout(() => void renew(), RETRY_MS);
        return state.status === 'signed-in' ? state.token : undefined;
      }
      end(wasSignedIn ? 'ended' : 'not-signed-in');
      return undefined;
    }
    if (!tokens) {
      end(wasSignedIn ? 'ended' : 'not-signed-in');
      return undefined;
    }
    return adopt(tokens);
  }

  // One renewal at a time: refresh tokens are single-use, and presenting one twice revokes the whole sign-in.
  function renew(): Promise<string | undefined> {
    if (signingOut || (state.status === 'signed-out' && state.reason === 'signed-out')) return Promise.resolve(undefined);
    renewing ??= attemptRenewal().finally(() => {
      renewing = undefined;
    });
    return renewing;
  }

  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async restore() {
      if (state.status === 'restoring') await renew();
    },
    async signIn(email, password) {
      // The sign-in page shows while the session restores itself: a refused restore must not end this sign-in.
      await renewing?.catch(() => undefined);
      adopt(await auth.login(email, password));
    },
    async signOut() {
      signingOut = true;
      cancelTimer();
      try {
        // A renewal in flight lands first: the cookie it brings back is the one the API must revoke.
        await renewing?.catch(() => undefined);
        // Signed out once the API has ended the sign-in, so that a reload right after cannot restore it.
        if (state.status === 'signed-in') await auth.logout(state.token).catch(() => undefined);
      } finally {
        signingOut = false;
        end('signed-out');
      }
    },
    renew,
  };
}
