import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import pg from 'pg';
import { call, DEV_ADMIN, login, userWithRole } from '../support/api.js';

describe('sign-in', () => {
  test('the dev admin signs in and gets an RS256 access token with the pinned claims', async () => {
    const tokens = await login();
    assert.equal(tokens.tokenType, 'Bearer');
    assert.ok(tokens.expiresIn > 0 && tokens.expiresIn <= 900);
    const header = decodeProtectedHeader(tokens.token);
    assert.equal(header.alg, 'RS256');
    assert.ok(header.kid);
    const claims = decodeJwt(tokens.token);
    assert.equal(claims.iss, process.env.JWT_ISSUER);
    assert.equal(claims.aud, 'patient-management-api');
    assert.equal(claims.role, 'admin');
    assert.ok(typeof claims.sub === 'string' && claims.sub.length > 0);
    assert.ok((claims.exp ?? 0) - (claims.iat ?? 0) <= 900);
    assert.match(String(claims.scope), /patients:read/);
    assert.match(String(claims.scope), /patients:write/);
  });

  test('a wrong password and an unknown email get the same 401', async () => {
    const wrongPassword = await call('POST', '/auth/login', { body: { email: DEV_ADMIN.email, password: 'not-the-password' }, contract: '/auth/login' });
    const unknownEmail = await call('POST', '/auth/login', { body: { email: 'nobody@clinic.test', password: 'whatever1' }, contract: '/auth/login' });
    assert.equal(wrongPassword.status, 401);
    assert.equal(unknownEmail.status, 401);
    const { requestId: _a, ...first } = wrongPassword.body as Record<string, unknown>;
    const { requestId: _b, ...second } = unknownEmail.body as Record<string, unknown>;
    assert.deepEqual(first, second);
  });

  test('a login body without a password is a 400 naming the field', async () => {
    const response = await call('POST', '/auth/login', { body: { email: DEV_ADMIN.email }, contract: '/auth/login' });
    assert.equal(response.status, 400);
    assert.deepEqual((response.body as { errors: { field: string }[] }).errors.map((e) => e.field), ['/password']);
  });
});

describe('token validation and discovery', () => {
  test('GET /auth/validate answers 200 for a valid access token', async () => {
    const { token } = await login();
    const response = await call('GET', '/auth/validate', { token, contract: '/auth/validate' });
    assert.equal(response.status, 200);
  });

  test('GET /auth/validate answers 401 without a token or with garbage', async () => {
    assert.equal((await call('GET', '/auth/validate', { contract: '/auth/validate' })).status, 401);
    assert.equal((await call('GET', '/auth/validate', { token: 'not.a.jwt', contract: '/auth/validate' })).status, 401);
  });

  test('the discovery document names the issuer and the JWKS', async () => {
    const response = await call('GET', '/.well-known/openid-configuration', { contract: '/.well-known/openid-configuration' });
    assert.equal(response.status, 200);
    const body = response.body as { issuer: string; jwks_uri: string };
    assert.equal(body.issuer, process.env.JWT_ISSUER);
    assert.equal(body.jwks_uri, `${process.env.JWT_ISSUER}/.well-known/jwks.json`);
  });

  test('the JWKS publishes the signing key id and only public RSA members', async () => {
    const { token } = await login();
    const response = await call('GET', '/.well-known/jwks.json', { contract: '/.well-known/jwks.json' });
    assert.equal(response.status, 200);
    const { keys } = response.body as { keys: Record<string, string>[] };
    assert.ok(keys.some((key) => key.kid === decodeProtectedHeader(token).kid));
    for (const key of keys) {
      assert.equal(key.kty, 'RSA');
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(key[secret], undefined);
    }
  });
});

describe('refresh tokens', () => {
  test('a refresh gives a new token pair and the old refresh token stops working', async () => {
    const first = await login();
    const refreshed = await call('POST', '/auth/refresh', { body: { refreshToken: first.refreshToken }, contract: '/auth/refresh' });
    assert.equal(refreshed.status, 200);
    const second = refreshed.body as { token: string; refreshToken: string };
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.equal((await call('GET', '/auth/validate', { token: second.token })).status, 200);
  });

  test('reusing a refresh token revokes every token descended from the same login', async () => {
    const first = await login();
    const rotated = (await call('POST', '/auth/refresh', { body: { refreshToken: first.refreshToken } })).body as { refreshToken: string };
    const reuse = await call('POST', '/auth/refresh', { body: { refreshToken: first.refreshToken }, contract: '/auth/refresh' });
    assert.equal(reuse.status, 401);
    const descendant = await call('POST', '/auth/refresh', { body: { refreshToken: rotated.refreshToken }, contract: '/auth/refresh' });
    assert.equal(descendant.status, 401);
  });

  test('reuse detection leaves other logins of the same user working', async () => {
    const victim = await login();
    const other = await login();
    await call('POST', '/auth/refresh', { body: { refreshToken: victim.refreshToken } });
    await call('POST', '/auth/refresh', { body: { refreshToken: victim.refreshToken } });
    assert.equal((await call('POST', '/auth/refresh', { body: { refreshToken: other.refreshToken } })).status, 200);
  });

  test('logout revokes the refresh token', async () => {
    const tokens = await login();
    const response = await call('POST', '/auth/logout', { token: tokens.token, body: { refreshToken: tokens.refreshToken }, contract: '/auth/logout' });
    assert.equal(response.status, 204);
    assert.equal((await call('POST', '/auth/refresh', { body: { refreshToken: tokens.refreshToken } })).status, 401);
  });

  test('logout requires a bearer token', async () => {
    const tokens = await login();
    const response = await call('POST', '/auth/logout', { body: { refreshToken: tokens.refreshToken }, contract: '/auth/logout' });
    assert.equal(response.status, 401);
  });
});

describe('staff accounts and roles', () => {
  test('an admin creates a clinician account', async () => {
    const { token } = await login();
    const email = `clinician.${Date.now()}@clinic.test`;
    const response = await call('POST', '/api/users', { token, body: { email, password: 'long enough pw', role: 'clinician' }, contract: '/api/users' });
    assert.equal(response.status, 201);
    assert.deepEqual({ ...(response.body as object), id: undefined, createdAt: undefined }, { id: undefined, createdAt: undefined, email, role: 'clinician', disabled: false });
  });

  test('a duplicate email is 409, whatever its case', async () => {
    const { token } = await login();
    const response = await call('POST', '/api/users', { token, body: { email: DEV_ADMIN.email.toUpperCase(), password: 'long enough pw', role: 'analyst' }, contract: '/api/users' });
    assert.equal(response.status, 409);
  });

  test('a short password and an unknown role are rejected with 400', async () => {
    const { token } = await login();
    const short = await call('POST', '/api/users', { token, body: { email: 'short@clinic.test', password: 'short', role: 'clinician' }, contract: '/api/users' });
    const badRole = await call('POST', '/api/users', { token, body: { email: 'role@clinic.test', password: 'long enough pw', role: 'superuser' }, contract: '/api/users' });
    assert.equal(short.status, 400);
    assert.equal(badRole.status, 400);
  });

  test('a clinician may not create accounts (403)', async () => {
    const admin = await login();
    const clinician = await userWithRole(admin.token, 'clinician');
    const response = await call('POST', '/api/users', { token: clinician.token, body: { email: 'x@clinic.test', password: 'long enough pw', role: 'admin' }, contract: '/api/users' });
    assert.equal(response.status, 403);
  });

  test('an analyst may not read patients and a clinician may not read analytics or audit (403)', async () => {
    const admin = await login();
    const analyst = await userWithRole(admin.token, 'analyst');
    const clinician = await userWithRole(admin.token, 'clinician');
    assert.equal((await call('GET', '/api/patients', { token: analyst.token, contract: '/api/patients' })).status, 403);
    assert.equal((await call('GET', '/api/analytics', { token: clinician.token, contract: '/api/analytics' })).status, 403);
    const audit = await call('GET', `/api/audit-events?patientId=${crypto.randomUUID()}`, { token: clinician.token, contract: '/api/audit-events' });
    assert.equal(audit.status, 403);
  });
});

describe('login throttling', () => {
  const db = new pg.Pool({ connectionString: process.env.TEST_STACK_DATABASE_URL, max: 1 });
  // Throttling is per account and per source; every test here shares 127.0.0.1, so start and end clean.
  const clearFailures = () => db.query('delete from login_failures');
  after(async () => {
    await clearFailures();
    await db.end();
  });

  test('five failures for one account give 429 with Retry-After, even with the right password', async () => {
    await clearFailures();
    const admin = await login();
    const user = await userWithRole(admin.token, 'clinician');
    for (let i = 0; i < 5; i += 1) {
      assert.equal((await call('POST', '/auth/login', { body: { email: user.email, password: 'wrong password' } })).status, 401);
    }
    const blocked = await call('POST', '/auth/login', { body: { email: user.email, password: user.password }, contract: '/auth/login' });
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
  });

  test('an unknown account is throttled the same way, revealing nothing', async () => {
    await clearFailures();
    const email = `ghost.${Date.now()}@clinic.test`;
    for (let i = 0; i < 5; i += 1) await call('POST', '/auth/login', { body: { email, password: 'wrong password' } });
    const blocked = await call('POST', '/auth/login', { body: { email, password: 'wrong password' }, contract: '/auth/login' });
    assert.equal(blocked.status, 429);
    assert.ok(blocked.headers.get('retry-after'));
  });

  test('many failures from one source are throttled across accounts', async () => {
    await clearFailures();
    const limit = Number(process.env.LOGIN_MAX_FAILURES_PER_SOURCE ?? 30);
    for (let i = 0; i < limit; i += 1) {
      await call('POST', '/auth/login', { body: { email: `spray${i}.${Date.now()}@clinic.test`, password: 'wrong password' } });
    }
    const blocked = await call('POST', '/auth/login', { body: { email: DEV_ADMIN.email, password: DEV_ADMIN.password }, contract: '/auth/login' });
    assert.equal(blocked.status, 429);
    await clearFailures();
  });
});
