import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createSession, refreshDelayMs, RETRY_MS, type AuthApi, type Tokens } from './session';

describe('refreshDelayMs', () => {
  test('renews a 15-minute token a minute before it expires', () => {
    expect(refreshDelayMs(900)).toBe(840_000);
  });
  test('renews a short token at four fifths of its life', () => {
    expect(refreshDelayMs(60)).toBe(48_000);
  });
  test('never schedules sooner than a second', () => {
    expect(refreshDelayMs(0)).toBe(1_000);
    expect(refreshDelayMs(-5)).toBe(1_000);
  });
});

function fakeAuth() {
  let issued = 0;
  const tokens = (): Tokens => ({ token: `access-${++issued}`, expiresIn: 900 });
  const auth = {
    login: vi.fn(async () => tokens()),
    refresh: vi.fn(async (): Promise<Tokens | undefined> => tokens()),
    logout: vi.fn(async () => undefined),
    identityOf: vi.fn(() => ({ userId: 'u1', role: 'clinician' as const, scopes: ['patients:read', 'patients:write'] })),
  };
  return auth satisfies AuthApi;
}

describe('session', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('sign-in keeps the access token and identity in memory', async () => {
    const session = createSession(fakeAuth());
    await session.signIn('a@b.c', 'pw');
    expect(session.getState()).toEqual({ status: 'signed-in', token: 'access-1', userId: 'u1', role: 'clinician', scopes: ['patients:read', 'patients:write'] });
  });

  test('renews silently a minute before the token expires', async () => {
    const auth = fakeAuth();
    const session = createSession(auth);
    await session.signIn('a@b.c', 'pw');

    await vi.advanceTimersByTimeAsync(839_000);
    expect(auth.refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(auth.refresh).toHaveBeenCalledTimes(1);
    expect(session.getState()).toMatchObject({ status: 'signed-in', token: 'access-2' });

    // …and keeps doing so for the next token.
    await vi.advanceTimersByTimeAsync(840_000);
    expect(auth.refresh).toHaveBeenCalledTimes(2);
  });

  test('concurrent renewals share one refresh call (refresh tokens are single-use)', async () => {
    const auth = fakeAuth();
    const session = createSession(auth);
    const tokens = await Promise.all([session.renew(), session.renew(), session.renew()]);
    expect(auth.refresh).toHaveBeenCalledTimes(1);
    expect(new Set(tokens)).toEqual(new Set(['access-1']));
  });

  test('restore after a reload signs in from the cookie, or lands on sign-in without blaming an expiry', async () => {
    const restored = createSession(fakeAuth());
    await restored.restore();
    expect(restored.getState()).toMatchObject({ status: 'signed-in' });

    const withoutCookie = fakeAuth();
    withoutCookie.refresh.mockResolvedValue(undefined);
    const fresh = createSession(withoutCookie);
    await fresh.restore();
    expect(fresh.getState()).toEqual({ status: 'signed-out', reason: 'not-signed-in' });
  });

  test('a sign-in while the session restores itself is not ended by the restore being refused', async () => {
    const auth = fakeAuth();
    let refuse: (tokens: undefined) => void = () => undefined;
    auth.refresh.mockReturnValueOnce(new Promise((resolve) => (refuse = resolve)));
    const session = createSession(auth);
    const restoring = session.restore();
    const signingIn = session.signIn('a@b.c', 'pw');
    refuse(undefined);
    await Promise.all([restoring, signingIn]);
    expect(session.getState()).toMatchObject({ status: 'signed-in', token: 'access-1' });
  });

  test('a refused renewal ends the session', async () => {
    const auth = fakeAuth();
    const session = createSession(auth);
    await session.signIn('a@b.c', 'pw');
    auth.refresh.mockResolvedValueOnce(undefined);
    await vi.advanceTimersByTimeAsync(840_000);
    expect(session.getState()).toEqual({ status: 'signed-out', reason: 'ended' });
    // No timer left running for a session that is over.
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(auth.refresh).toHaveBeenCalledTimes(1);
  });

  test('an unreachable API is retried while the token is valid, and ends the session once it expired', async () => {
    const auth = fakeAuth();
    const session = createSession(auth);
    await session.signIn('a@b.c', 'pw');
    auth.refresh.mockRejectedValue(new TypeError('Failed to fetch'));

    await vi.advanceTimersByTimeAsync(840_000);
    expect(session.getState()).toMatchObject({ status: 'signed-in', token: 'access-1' });
    await vi.advanceTimersByTimeAsync(RETRY_MS);
    expect(auth.refresh).toHaveBeenCalledTimes(2);

    await vi.advanceTimersByTimeAsync(60_000);
    expect(session.getState()).toEqual({ status: 'signed-out', reason: 'ended' });
  });

  test('sign-out forgets the token, revokes the cookie and does not renew any more', async () => {
    const auth = fakeAuth();
    const session = createSession(auth);
    await session.signIn('a@b.c', 'pw');
    await session.signOut();
    expect(session.getState()).toEqual({ status: 'signed-out', reason: 'signed-out' });
    expect(auth.logout).toHaveBeenCalledWith('access-1');
    expect(await session.renew()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(auth.refresh).not.toHaveBeenCalled();
  });

  test('sign-out ends the session only once the API has revoked the sign-in', async () => {
    const auth = fakeAuth();
    let revoked: () => void = () => undefined;
    auth.logout.mockReturnValueOnce(new Promise((resolve) => (revoked = () => resolve(undefined))));
    const session = createSession(auth);
    await session.signIn('a@b.c', 'pw');
    const signingOut = session.signOut();
    await vi.advanceTimersByTimeAsync(0);
    expect(session.getState()).toMatchObject({ status: 'signed-in' });
    expect(await session.renew()).toBeUndefined();
    revoked();
    await signingOut;
    expect(session.getState()).toEqual({ status: 'signed-out', reason: 'signed-out' });
  });

  test('sign-out during a renewal revokes the token that renewal brings back', async () => {
    const auth = fakeAuth();
    const session = createSession(auth);
    await session.signIn('a@b.c', 'pw');
    const renewal = session.renew();
    await session.signOut();
    await renewal;
    expect(auth.logout).toHaveBeenCalledWith('access-2');
    expect(session.getState()).toEqual({ status: 'signed-out', reason: 'signed-out' });
  });

  test('listeners hear every change', async () => {
    const session = createSession(fakeAuth());
    const heard: string[] = [];
    session.subscribe(() => heard.push(session.getState().status));
    await session.signIn('a@b.c', 'pw');
    await session.signOut();
    expect(heard).toEqual(['signed-in', 'signed-out']);
  });
});
