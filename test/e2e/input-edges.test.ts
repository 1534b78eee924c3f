/**
 * Input at the edges of what text and dates may be: garbled Unicode, invisible names, NUL characters
 * written as text, registration dates, and HEAD requests that must not count as reading records.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { API_URL, call, login, newPatient } from '../support/api.js';

let token: string;
let database: pg.Client;

before(async () => {
  token = (await login()).token;
  database = new pg.Client({ connectionString: process.env.TEST_STACK_DATABASE_URL });
  await database.connect();
});
after(async () => {
  await database?.end();
});

const create = (body: unknown) => call('POST', '/api/patients', { token, body, contract: '/api/patients' });
const fieldsOf = (response: { body: unknown }) => ((response.body as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field);

describe('text fields', () => {
  test('a replacement character (what invalid UTF-8 decodes to) is refused, naming the field', async () => {
    const response = await create(newPatient({ address: 'Main St \uFFFD 4' }));
    assert.equal(response.status, 400);
    assert.deepEqual(fieldsOf(response), ['/address']);
  });

  test('bytes that are not UTF-8 are refused', async () => {
    const [head, tail] = JSON.stringify(newPatient()).replace('Test Patient', 'Test @@ Patient').split('@@');
    const body = Buffer.concat([Buffer.from(head!), Buffer.from([0xff, 0xfe]), Buffer.from(tail!)]);
    const response = await fetch(`${API_URL}/api/patients`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body });
    assert.equal(response.status, 400);
  });

  test('an unpaired surrogate is refused', async () => {
    const rawBody = JSON.stringify(newPatient()).replace('Test Patient', 'Test \\ud800 Patient');
    const response = await call('POST', '/api/patients', { token, rawBody, headers: { 'Content-Type': 'application/json' } });
    assert.equal(response.status, 400);
    assert.deepEqual(fieldsOf(response), ['/name']);
  });

  test('a name of only invisible or bidirectional-control characters is refused', async () => {
    for (const name of ['\u200B\u200C', '\u202E\u2066', '\u00A0\u200E']) {
      const response = await create(newPatient({ name }));
      assert.equal(response.status, 400, JSON.stringify(name));
      assert.deepEqual(fieldsOf(response), ['/name']);
    }
  });

  test('the six characters \\u0000 written as text are accepted; a real NUL is still refused', async () => {
    const literal = await create(newPatient({ address: 'Escape \\u0000 Street' }));
    assert.equal(literal.status, 201);
    assert.equal((literal.body as { address: string }).address, 'Escape \\u0000 Street');
    const nul = await create(newPatient({ address: 'Nul \u0000 Street' }));
    assert.equal(nul.status, 400);
  });
});

describe('registration dates', () => {
  test('a registration before the birth is refused on registeredDate', async () => {
    const response = await create(newPatient({ dateOfBirth: '1990-05-05', registeredDate: '1990-05-04' }));
    assert.equal(response.status, 400);
    assert.deepEqual(fieldsOf(response), ['/registeredDate']);
  });

  test('a registration in the future is refused; on the day of birth it is accepted', async () => {
    const future = await create(newPatient({ registeredDate: `${new Date().getUTCFullYear() + 1}-01-01` }));
    assert.equal(future.status, 400);
    assert.deepEqual(fieldsOf(future), ['/registeredDate']);
    assert.equal((await create(newPatient({ dateOfBirth: '2001-03-03', registeredDate: '2001-03-03' }))).status, 201);
  });
});

describe('HEAD on a list route', () => {
  test('answers without reading records, so nothing is written to the audit trail', async () => {
    await create(newPatient());
    const count = async () => Number((await database.query<{ n: string }>(`select count(*) as n from audit_events where action = 'list'`)).rows[0]?.n);
    const before = await count();
    const response = await fetch(`${API_URL}/api/patients?limit=5`, { method: 'HEAD', headers: { Authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    assert.equal(await count(), before);
    // A GET of the same list is audited (control).
    await call('GET', '/api/patients?limit=5', { token });
    assert.ok((await count()) > before);
  });
});
