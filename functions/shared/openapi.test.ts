import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_FIELD_ERRORS, validateBody, validateParameters } from './openapi.js';
import * as operations from './operations.js';

describe('validation from openapi.yaml', () => {
  test('a path parameter given by $ref is validated (malformed uuid → field error)', () => {
    assert.throws(
      () => validateParameters(operations.getPatient, { pathParameters: { id: 'not-a-uuid' } }),
      (error: { status: number; errors: { field: string }[] }) => error.status === 400 && error.errors[0]?.field === 'path.id',
    );
  });

  test('only the canonical UUID form is a patient id (no urn:uuid: prefix)', () => {
    const id = 'urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e';
    assert.throws(() => validateParameters(operations.getPatient, { pathParameters: { id } }));
  });

  test('year 0000 is not a date (PostgreSQL has no year 0)', () => {
    const errors = validateBody(operations.createPatient, {
      name: 'A', email: 'a@example.org', address: 'B', dateOfBirth: '0000-01-01', registeredDate: '2024-01-01',
    });
    assert.deepEqual(errors.map((e) => e.field), ['/dateOfBirth']);
  });

  test('a body with thousands of unknown fields reports a bounded number of errors', () => {
    const body: Record<string, unknown> = { name: 'A', email: 'a@example.org', address: 'B', dateOfBirth: '2000-01-01', registeredDate: '2024-01-01' };
    for (let i = 0; i < 5000; i += 1) body[`x${i}`] = i;
    assert.equal(validateBody(operations.createPatient, body).length, MAX_FIELD_ERRORS);
  });

  test('query parameters are coerced to their declared types', () => {
    const { query } = validateParameters(operations.listPatients, { queryStringParameters: { limit: '20' } });
    assert.equal(query.limit, 20);
  });

  test('a control character in a search term is rejected before it reaches the database', () => {
    assert.throws(() => validateParameters(operations.listPatients, { queryStringParameters: { name: 'a\u0000b' } }));
  });

  test('a limit above the maximum is rejected', () => {
    assert.throws(() => validateParameters(operations.listPatients, { queryStringParameters: { limit: '201' } }));
  });

  test('an impossible calendar date fails the Date format', () => {
    const errors = validateBody(operations.createPatient, {
      name: 'A', email: 'a@example.org', address: 'B', dateOfBirth: '2023-02-29', registeredDate: '2024-01-01',
    });
    assert.deepEqual(errors.map((e) => e.field), ['/dateOfBirth']);
  });

  test('unknown properties in a patient body are named', () => {
    const errors = validateBody(operations.updatePatient, { name: 'A', email: 'a@example.org', address: 'B', dateOfBirth: '2000-01-01', role: 'x' });
    assert.deepEqual(errors.map((e) => e.field), ['/role']);
  });
});
