/**
 * A saturated database: when PostgreSQL refuses new connections (53300, too many clients), requests are
 * answered 503 with Retry-After, as problem+json, and nothing is half-written; the API recovers by itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { call, eventually, login, newPatient } from '../support/api.js';

let token: string;
let admin: pg.Client;
const hogs: pg.Client[] = [];

before(async () => {
  token = (await login()).token;
  admin = new pg.Client({ connectionString: process.env.TEST_ADMIN_DATABASE_URL });
  await admin.connect();
});

after(async () => {
  await Promise.all(hogs.splice(0).map((client) => client.end().catch(() => undefined)));
  await admin?.end();
});

/** Takes every connection slot PostgreSQL has left, after closing the functions' pooled connections. */
async function saturate(): Promise<void> {
  await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name like 'patient-management%'`);
  for (;;) {
    const client = new pg.Client({ connectionString: process.env.TEST_ADMIN_DATABASE_URL });
    try {
      await client.connect();
    } catch (error) {
      if ((error as { code?: string }).code === '53300') return;
      throw error;
    }
    hogs.push(client);
    assert.ok(hogs.length < 1000, 'PostgreSQL has a connection cap');
  }
}

describe('a saturated database', () => {
  test('answers 503 with Retry-After, writes nothing, and recovers once connections free up', async () => {
    assert.equal((await call('GET', '/api/patients?limit=1', { token })).status, 200);
    const patient = newPatient();
    await saturate();
    try {
      const created = await call('POST', '/api/patients', { token, body: patient, contract: '/api/patients' });
      assert.equal(created.status, 503);
      assert.equal(created.headers.get('content-type'), 'application/problem+json');
      assert.ok(Number(created.headers.get('retry-after')) >= 1);
      const listed = await call('GET', '/api/patients?limit=1', { token, contract: '/api/patients' });
      assert.equal(listed.status, 503);
    } finally {
      await Promise.all(hogs.splice(0).map((client) => client.end()));
    }
    const search = await eventually(async () => {
      const response = await call('GET', `/api/patients?email=${encodeURIComponent(patient.email)}`, { token });
      return response.status === 200 ? response : undefined;
    });
    assert.deepEqual((search.body as { patients: unknown[] }).patients, []);
    assert.equal((await call('POST', '/api/patients', { token, body: patient })).status, 201);
  });
});
