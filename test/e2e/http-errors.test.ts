import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { call, login, newPatient } from '../support/api.js';

let token: string;
before(async () => {
  token = (await login()).token;
});

const problemOf = (response: { body: unknown }) => response.body as { type: string; title: string; status: number; detail: string };

describe('errors are problem+json with the right status', () => {
  test('malformed JSON is 400', async () => {
    const response = await call('POST', '/api/patients', { token, rawBody: '{"name": ', headers: { 'Content-Type': 'application/json' }, contract: '/api/patients' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    const problem = problemOf(response);
    assert.equal(problem.status, 400);
    assert.ok(problem.type && problem.title && problem.detail);
  });

  test('a body that is not application/json is 415', async () => {
    const response = await call('POST', '/api/patients', {
      token,
      rawBody: JSON.stringify(newPatient()),
      headers: { 'Content-Type': 'text/plain' },
      contract: '/api/patients',
    });
    assert.equal(response.status, 415);
  });

  test('a body over 1 MiB is 413 and nothing is written', async () => {
    const patient = newPatient({ address: 'x'.repeat(1024 * 1024 + 10) });
    const response = await call('POST', '/api/patients', { token, body: patient, contract: '/api/patients' });
    assert.equal(response.status, 413);
    const found = await call('GET', `/api/patients?email=${encodeURIComponent(patient.email)}`, { token });
    assert.deepEqual((found.body as { patients: unknown[] }).patients, []);
  });

  test('a NUL character in a field is 400, not a database error', async () => {
    const response = await call('POST', '/api/patients', { token, body: newPatient({ name: 'Nul\u0000Byte' }), contract: '/api/patients' });
    assert.equal(response.status, 400);
  });

  test('an unknown route is 404 problem+json', async () => {
    const response = await call('GET', '/api/nothing-here', { token });
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
  });

  test('an unsupported method on a known route is 405 with Allow', async () => {
    const response = await call('PATCH', `/api/patients/${crypto.randomUUID()}`, { token, body: {} });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    assert.match(response.headers.get('allow') ?? '', /GET/);
  });

  test('a request without a token is 401 (from the gateway authorizer, as documented)', async () => {
    const response = await call('GET', '/api/patients', { contract: '/api/patients' });
    assert.equal(response.status, 401);
  });
});
