/**
 * The console's session mode on the auth routes (`X-PM-Client: console`): the refresh token travels only in
 * the HttpOnly cookie `pm_refresh`, rotates on refresh, dies on sign-out; cross-origin requests are refused.
 * The JSON body mode is covered, unchanged, by auth.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, DEV_ADMIN } from '../support/api.js';

const CONSOLE = { 'X-PM-Client': 'console' };
const ownOrigin = new URL(process.env.JWT_ISSUER ?? 'http://localhost:4000').origin;

type ApiResponse = Awaited<ReturnType<typeof call>>;

/** The `pm_refresh` Set-Cookie of a response, split into its value and lower-cased attributes. */
function refreshCookieOf(response: ApiResponse): { value: string; attributes: Map<string, string> } {
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('pm_refresh='));
  assert.ok(cookie, `no pm_refresh cookie in ${JSON.stringify(response.headers.getSetCookie())}`);
  const [pair, ...attributes] = cookie.split(';').map((part) => part.trim());
  return {
    value: pair!.slice('pm_refresh='.length),
    attributes: new Map(attributes.map((a) => {
      const [name, value = ''] = a.split('=');
      return [name!.toLowerCase(), value];
    })),
  };
}

const cookieHeader = (value: string) => ({ Cookie: `pm_refresh=${value}` });

async function consoleSignIn() {
  const response = await call('POST', '/auth/login', { body: DEV_ADMIN, headers: { ...CONSOLE, Origin: ownOrigin }, contract: '/auth/login' });
  assert.equal(response.status, 200);
  return { token: (response.body as { token: string }).token, cookie: refreshCookieOf(response).value };
}

const consoleRefresh = (cookie: string, headers: Record<string, string> = {}) =>
  call('POST', '/auth/refresh', { headers: { ...CONSOLE, ...cookieHeader(cookie), ...headers }, contract: '/auth/refresh' });

describe('console sign-in', () => {
  test('returns the access token in the body and the refresh token only in an HttpOnly, Secure, SameSite=Strict cookie on /auth', async () => {
    const response = await call('POST', '/auth/login', { body: DEV_ADMIN, headers: CONSOLE, contract: '/auth/login' });

    assert.equal(response.status, 200);
    const body = response.body as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['expiresIn', 'token', 'tokenType']);
    const cookie = refreshCookieOf(response);
    assert.match(cookie.value, /^[A-Za-z0-9_-]{20,}$/);
    assert.ok(cookie.attributes.has('httponly'));
    assert.ok(cookie.attributes.has('secure'));
    assert.equal(cookie.attributes.get('samesite')?.toLowerCase(), 'strict');
    assert.equal(cookie.attributes.get('path'), '/auth');
    assert.ok(Number(cookie.attributes.get('max-age')) > 0);
    assert.equal(response.headers.get('cache-control'), 'no-store');
  });

  test('without the header, sign-in sets no cookie and returns the refresh token in the body', async () => {
    const response = await call('POST', '/auth/login', { body: DEV_ADMIN, contract: '/auth/login' });

    assert.equal(response.status, 200);
    assert.equal(typeof (response.body as { refreshToken?: unknown }).refreshToken, 'string');
    assert.deepEqual(response.headers.getSetCookie(), []);
  });

  test('from another origin is refused with 403 and sets no cookie', async () => {
    const response = await call('POST', '/auth/login', { body: DEV_ADMIN, headers: { ...CONSOLE, Origin: 'https://evil.example' }, contract: '/auth/login' });

    assert.equal(response.status, 403);
    assert.deepEqual(response.headers.getSetCookie(), []);
  });

  test('an unknown client mode is a 400', async () => {
    const response = await call('POST', '/auth/login', { body: DEV_ADMIN, headers: { 'X-PM-Client': 'mobile' }, contract: '/auth/login' });

    assert.equal(response.status, 400);
  });
});

describe('console refresh', () => {
  test('reads the cookie (no body needed) and rotates it', async () => {
    const { cookie } = await consoleSignIn();

    const response = await consoleRefresh(cookie, { Origin: ownOrigin });

    assert.equal(response.status, 200);
    assert.deepEqual(Object.keys(response.body as object).sort(), ['expiresIn', 'token', 'tokenType']);
    const rotated = refreshCookieOf(response).value;
    assert.notEqual(rotated, cookie);
    assert.equal((await call('GET', '/auth/validate', { token: (response.body as { token: string }).token })).status, 200);
    assert.equal((await consoleRefresh(rotated)).status, 200);
  });

  test('accepts an empty JSON object as the body', async () => {
    const { cookie } = await consoleSignIn();

    const response = await call('POST', '/auth/refresh', { body: {}, headers: { ...CONSOLE, ...cookieHeader(cookie) }, contract: '/auth/refresh' });

    assert.equal(response.status, 200);
  });

  test('a replayed cookie is refused and revokes the sign-in, as in body mode', async () => {
    const { cookie } = await consoleSignIn();
    const rotated = refreshCookieOf(await consoleRefresh(cookie)).value;

    const replayed = await consoleRefresh(cookie);

    assert.equal(replayed.status, 401);
    assert.equal(refreshCookieOf(replayed).attributes.get('max-age'), '0', 'the dead cookie is cleared');
    assert.equal((await consoleRefresh(rotated)).status, 401);
  });

  test('without the cookie is a 401', async () => {
    const response = await call('POST', '/auth/refresh', { headers: CONSOLE, contract: '/auth/refresh' });

    assert.equal(response.status, 401);
  });

  test('the cookie alone, without the console header, is not accepted', async () => {
    const { cookie } = await consoleSignIn();

    const response = await call('POST', '/auth/refresh', { body: {}, headers: cookieHeader(cookie), contract: '/auth/refresh' });

    assert.equal(response.status, 400);
    assert.equal((await consoleRefresh(cookie)).status, 200);
  });

  test('from another origin is refused with 403 and leaves the session usable', async () => {
    const { cookie } = await consoleSignIn();

    const response = await consoleRefresh(cookie, { Origin: 'http://localhost:1' });

    assert.equal(response.status, 403);
    assert.equal((await consoleRefresh(cookie)).status, 200);
  });
});

describe('console sign-out', () => {
  test('clears the cookie and ends the sign-in, rotated tokens included', async () => {
    const { token, cookie } = await consoleSignIn();
    const rotated = refreshCookieOf(await consoleRefresh(cookie)).value;

    const response = await call('POST', '/auth/logout', { token, headers: { ...CONSOLE, ...cookieHeader(rotated) }, contract: '/auth/logout' });

    assert.equal(response.status, 204);
    const cleared = refreshCookieOf(response);
    assert.equal(cleared.value, '');
    assert.equal(cleared.attributes.get('max-age'), '0');
    assert.equal(cleared.attributes.get('path'), '/auth');
    assert.equal((await consoleRefresh(rotated)).status, 401);
  });

  test('from another origin is refused with 403', async () => {
    const { token, cookie } = await consoleSignIn();

    const response = await call('POST', '/auth/logout', { token, headers: { ...CONSOLE, ...cookieHeader(cookie), Origin: 'https://evil.example' }, contract: '/auth/logout' });

    assert.equal(response.status, 403);
    assert.equal((await consoleRefresh(cookie)).status, 200);
  });
});
