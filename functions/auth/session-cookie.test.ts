import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../shared/errors.js';
import type { HttpEvent } from '../shared/http.js';
import { clearedRefreshCookie, isConsoleRequest, refreshCookie, refreshTokenFromCookie, tokenResponse } from './session-cookie.js';

const event = (headers: Record<string, string>, cookies?: string[]) => ({ headers, cookies }) as unknown as HttpEvent;
const status = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.status : 'not an AppError';
  }
  return 'no error';
};
// config.jwt.issuer without JWT_ISSUER set: the local default.
const ownOrigin = new URL(process.env.JWT_ISSUER ?? 'http://localhost:4000').origin;

describe('isConsoleRequest', () => {
  test('is false without X-PM-Client (body mode)', () => {
    assert.equal(isConsoleRequest(event({ Origin: 'https://elsewhere.example' })), false);
  });

  test('is true for X-PM-Client: console from the API’s own origin, or without an Origin', () => {
    assert.equal(isConsoleRequest(event({ 'x-pm-client': 'console', origin: ownOrigin })), true);
    assert.equal(isConsoleRequest(event({ 'X-PM-Client': 'console' })), true);
  });

  test('refuses another origin with 403, including the opaque origin "null"', () => {
    assert.equal(status(() => isConsoleRequest(event({ 'x-pm-client': 'console', origin: 'https://evil.example' }))), 403);
    assert.equal(status(() => isConsoleRequest(event({ 'x-pm-client': 'console', origin: 'null' }))), 403);
  });

  test('refuses an unknown client mode with 400', () => {
    assert.equal(status(() => isConsoleRequest(event({ 'x-pm-client': 'mobile' }))), 400);
  });
});

describe('refreshTokenFromCookie', () => {
  test('reads pm_refresh from API Gateway’s cookies array', () => {
    assert.equal(refreshTokenFromCookie(event({}, ['theme=dark', 'pm_refresh=abc_DEF-123'])), 'abc_DEF-123');
  });

  test('reads pm_refresh from a Cookie header among others', () => {
    assert.equal(refreshTokenFromCookie(event({ cookie: 'a=1; pm_refresh=tok-en_1; b=2' })), 'tok-en_1');
  });

  test('ignores cookies with a similar name and values that cannot be our tokens', () => {
    assert.equal(refreshTokenFromCookie(event({ cookie: 'xpm_refresh=abc' })), undefined);
    assert.equal(refreshTokenFromCookie(event({ cookie: 'pm_refresh=' })), undefined);
    assert.equal(refreshTokenFromCookie(event({ cookie: 'pm_refresh=a%20b' })), undefined);
  });
});

describe('the refresh cookie', () => {
  test('is HttpOnly, Secure, SameSite=Strict, scoped to /auth and lives as long as a refresh token', () => {
    const attributes = refreshCookie('tok').split('; ');
    assert.equal(attributes[0], 'pm_refresh=tok');
    for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/auth']) assert.ok(attributes.includes(attribute), attribute);
    assert.ok(Number(attributes.find((a) => a.startsWith('Max-Age='))?.slice(8)) > 0);
  });

  test('is cleared with an empty value and Max-Age=0 on the same path', () => {
    const attributes = clearedRefreshCookie().split('; ');
    assert.equal(attributes[0], 'pm_refresh=');
    assert.ok(attributes.includes('Max-Age=0'));
    assert.ok(attributes.includes('Path=/auth'));
  });
});

describe('tokenResponse', () => {
  const tokens = { token: 'access', refreshToken: 'refresh', expiresIn: 900, tokenType: 'Bearer' as const };

  test('in console mode keeps the refresh token out of the body and puts it in the cookie', () => {
    const response = tokenResponse(tokens, true);
    assert.deepEqual(JSON.parse(String(response.body)), { token: 'access', expiresIn: 900, tokenType: 'Bearer' });
    assert.deepEqual(response.cookies, [refreshCookie('refresh')]);
  });

  test('in body mode returns the whole pair and sets no cookie', () => {
    const response = tokenResponse(tokens, false);
    assert.deepEqual(JSON.parse(String(response.body)), tokens);
    assert.equal(response.cookies, undefined);
  });
});
