/**
 * Staff accounts for the admin: GET /api/users (sorted by email, paged) and PATCH /api/users/{id}
 * (disable: no more sign-ins, every refresh token revoked at once; re-enable; change a role).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, decodeProtectedHeader, importPKCS8, SignJWT } from 'jose';
import pg from 'pg';
import { call, DEV_ADMIN, login, userWithRole } from '../support/api.js';

type User = { id: string; email: string; role: string; disabled: boolean; createdAt: string };
type UserPage = { users: User[]; nextCursor: string | null };
type Problem = { type: string; detail: string; errors?: { field: string }[] };

let admin: { token: string };

const listUsers = (query = '', token = admin.token) => call('GET', `/api/users${query}`, { token, contract: '/api/users' });
const patchUser = (id: string, body: unknown, token = admin.token) =>
  call('PATCH', `/api/users/${id}`, { token, body, contract: '/api/users/{id}' });
const signIn = (email: string, password: string) => call('POST', '/auth/login', { body: { email, password }, contract: '/auth/login' });
const refreshWith = (refreshToken: string) => call('POST', '/auth/refresh', { body: { refreshToken }, contract: '/auth/refresh' });
const withoutRequestId = (body: unknown) => {
  const { requestId: _ignored, ...rest } = body as Record<string, unknown>;
  return rest;
};

const failures = new pg.Pool({ connectionString: process.env.TEST_STACK_DATABASE_URL, max: 1 });

before(async () => {
  admin = await login();
});

// The refused sign-ins below count as failures from this address; later files start with a clean slate.
after(async () => {
  await failures.query('delete from login_failures');
  await failures.end();
});

async function allUsers(limit: number): Promise<{ users: User[]; pages: number }> {
  const users: User[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const response = await listUsers(`?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(response.status, 200);
    const page = response.body as UserPage;
    users.push(...page.users);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor);
  return { users, pages };
}

describe('GET /api/users', () => {
  test('lists every account sorted by email, across pages, each exactly once', async () => {
    await userWithRole(admin.token, 'analyst');
    await userWithRole(admin.token, 'clinician');

    const { users, pages } = await allUsers(2);

    const emails = users.map((u) => u.email.toLowerCase());
    assert.deepEqual(emails, [...emails].sort());
    assert.equal(new Set(users.map((u) => u.id)).size, users.length);
    assert.ok(pages >= 2);
    assert.ok(emails.includes(DEV_ADMIN.email));
  });

  test('shows role, disabled flag and creation time, without password hashes', async () => {
    const created = await userWithRole(admin.token, 'clinician');

    const { users } = await allUsers(200);

    const listed = users.find((u) => u.email === created.email);
    assert.ok(listed);
    assert.equal(listed.role, 'clinician');
    assert.equal(listed.disabled, false);
    assert.ok(!Number.isNaN(Date.parse(listed.createdAt)));
    assert.deepEqual(Object.keys(listed).sort(), ['createdAt', 'disabled', 'email', 'id', 'role']);
  });

  test('answers 400 for a cursor it did not issue and a limit out of range', async () => {
    const badCursor = await listUsers('?cursor=bm90LWEtY3Vyc29y');
    const badLimit = await listUsers('?limit=0');

    assert.equal(badCursor.status, 400);
    assert.deepEqual((badCursor.body as Problem).errors?.map((e) => e.field), ['query.cursor']);
    assert.equal(badLimit.status, 400);
  });

  test('answers 403 to a clinician', async () => {
    const clinician = await userWithRole(admin.token, 'clinician');

    assert.equal((await listUsers('', clinician.token)).status, 403);
  });
});

describe('PATCH /api/users/{id} disabling an account', () => {
  test('answers 200 with the account marked disabled', async () => {
    const user = await userWithRole(admin.token, 'clinician');
    const id = (await findUser(user.email)).id;

    const response = await patchUser(id, { disabled: true });

    assert.equal(response.status, 200);
    assert.equal((response.body as User).disabled, true);
    assert.equal((await findUser(user.email)).disabled, true);
  });

  test('the disabled user’s sign-in gets the same 401 as an unknown account', async () => {
    const user = await userWithRole(admin.token, 'clinician');
    await patchUser((await findUser(user.email)).id, { disabled: true });

    const disabled = await signIn(user.email, user.password);
    const unknownAccount = await signIn(`nobody.${randomUUID()}@clinic.test`, 'not the password');

    assert.equal(disabled.status, 401);
    assert.deepEqual(withoutRequestId(disabled.body), withoutRequestId(unknownAccount.body));
  });

  test('every refresh token of the user stops working at once, from every sign-in', async () => {
    const user = await userWithRole(admin.token, 'clinician');
    const secondSignIn = (await signIn(user.email, user.password)).body as { refreshToken: string };

    await patchUser((await findUser(user.email)).id, { disabled: true });

    assert.equal((await refreshWith(user.refreshToken)).status, 401);
    assert.equal((await refreshWith(secondSignIn.refreshToken)).status, 401);
  });

  test('re-enabling lets the user sign in again (old refresh tokens stay revoked)', async () => {
    const user = await userWithRole(admin.token, 'clinician');
    const id = (await findUser(user.email)).id;
    await patchUser(id, { disabled: true });

    const response = await patchUser(id, { disabled: false });

    assert.equal(response.status, 200);
    assert.equal((response.body as User).disabled, false);
    assert.equal((await signIn(user.email, user.password)).status, 200);
    assert.equal((await refreshWith(user.refreshToken)).status, 401);
  });

  test('an admin cannot disable their own account (409)', async () => {
    const other = await userWithRole(admin.token, 'admin');
    const id = (await findUser(other.email)).id;

    const response = await patchUser(id, { disabled: true }, other.token);

    assert.equal(response.status, 409);
    assert.equal((await signIn(other.email, other.password)).status, 200);
  });
});

describe('PATCH /api/users/{id} by an admin who was disabled meanwhile', () => {
  test('is refused with 403 although their access token has not expired yet', async () => {
    const other = await userWithRole(admin.token, 'admin');
    const target = await userWithRole(admin.token, 'analyst');
    await patchUser((await findUser(other.email)).id, { disabled: true });

    const response = await patchUser((await findUser(target.email)).id, { disabled: true }, other.token);

    assert.equal(response.status, 403);
    assert.equal((await findUser(target.email)).disabled, false);
  });
});

describe('a disabled user’s access token', () => {
  /** The same token (same claims, same key), issued `secondsAgo` earlier: genuine in all but its times. */
  async function issuedEarlier(token: string, secondsAgo: number): Promise<string> {
    const { iat, exp, ...claims } = decodeJwt(token);
    const key = await importPKCS8(await readFile(path.join(process.env.TEST_STACK_DIR!, 'dev-signing-key.pem'), 'utf8'), 'RS256');
    return new SignJWT(claims)
      .setProtectedHeader(decodeProtectedHeader(token) as { alg: string; kid: string })
      .setIssuedAt(iat! - secondsAgo)
      .setExpirationTime(exp! - secondsAgo)
      .sign(key);
  }
  const listPatients = (token: string) => call('GET', '/api/patients?limit=1', { token, contract: '/api/patients' });

  test('keeps working until it expires, as documented, and not after', async () => {
    const user = await userWithRole(admin.token, 'clinician');
    const lifetime = decodeJwt(user.token).exp! - decodeJwt(user.token).iat!;
    const disabled = await patchUser((await findUser(user.email)).id, { disabled: true });
    assert.equal(disabled.status, 200);

    const stillValid = await listPatients(user.token);
    // A copy issued a second earlier is genuine (control); one issued a lifetime and a minute earlier has expired.
    const copy = await listPatients(await issuedEarlier(user.token, 1));
    const expired = await listPatients(await issuedEarlier(user.token, lifetime + 60));

    assert.equal(stillValid.status, 200);
    assert.equal(copy.status, 200);
    assert.equal(expired.status, 401);
  });
});

describe('PATCH /api/users/{id} changing a role', () => {
  test('an admin cannot change their own role (409), and keeps it', async () => {
    const other = await userWithRole(admin.token, 'admin');
    const id = (await findUser(other.email)).id;

    const response = await patchUser(id, { role: 'analyst' }, other.token);

    assert.equal(response.status, 409);
    assert.match((response.body as Problem).type, /cannot-change-own-role$/);
    assert.equal((await findUser(other.email)).role, 'admin');
    assert.equal((await listUsers('', other.token)).status, 200);
  });

  test('the new role applies from the next refresh', async () => {
    const user = await userWithRole(admin.token, 'analyst');

    const response = await patchUser((await findUser(user.email)).id, { role: 'clinician' });
    const refreshed = (await refreshWith(user.refreshToken)).body as { token: string };

    assert.equal((response.body as User).role, 'clinician');
    assert.equal((await call('GET', '/api/patients?limit=1', { token: refreshed.token })).status, 200);
  });
});

describe('PATCH /api/users/{id} refusals', () => {
  test('answers 404 for an unknown id and 400 naming a malformed one', async () => {
    const unknown = await patchUser(randomUUID(), { disabled: true });
    const malformed = await patchUser('not-a-uuid', { disabled: true });

    assert.equal(unknown.status, 404);
    assert.equal(malformed.status, 400);
    assert.deepEqual((malformed.body as Problem).errors?.map((e) => e.field), ['path.id']);
  });

  test('answers 400 for an empty body, an unknown field or a non-boolean', async () => {
    const user = await userWithRole(admin.token, 'analyst');
    const id = (await findUser(user.email)).id;

    for (const body of [{}, { enabled: true }, { disabled: 'yes' }, { role: 'superuser' }]) {
      assert.equal((await patchUser(id, body)).status, 400, JSON.stringify(body));
    }
  });

  test('answers 403 to a clinician', async () => {
    const clinician = await userWithRole(admin.token, 'clinician');

    assert.equal((await patchUser(randomUUID(), { disabled: true }, clinician.token)).status, 403);
  });
});

async function findUser(email: string): Promise<User> {
  const { users } = await allUsers(200);
  const user = users.find((u) => u.email === email);
  assert.ok(user, `${email} is not listed`);
  return user;
}
