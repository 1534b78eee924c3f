import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { notFound, tooManyRequests, validationFailed } from './errors.js';
import { problemResponse } from './problem.js';

const bodyOf = (response: { body?: string }) => JSON.parse(response.body ?? '{}') as Record<string, unknown>;

describe('problem+json responses', () => {
  test('an AppError becomes RFC 9457 problem details with its status and code', () => {
    const response = problemResponse(notFound('No patient with this id.'), 'req-1');
    assert.equal(response.statusCode, 404);
    assert.equal(response.headers?.['Content-Type'], 'application/problem+json');
    assert.deepEqual(bodyOf(response), {
      type: 'https://patient-management.dev/problems/not-found',
      title: 'Not found',
      status: 404,
      detail: 'No patient with this id.',
      requestId: 'req-1',
    });
  });

  test('validation errors list each field', () => {
    const response = problemResponse(validationFailed([{ field: '/email', message: 'must be a valid email' }]), 'r');
    assert.deepEqual(bodyOf(response).errors, [{ field: '/email', message: 'must be a valid email' }]);
  });

  test('running out of time (middy answers just before the function times out) is a 503 the client may retry', () => {
    const timeout = Object.assign(new Error('[AbortError]: The operation was aborted.', { cause: { package: '@middy/core' } }), { name: 'TimeoutError' });
    const response = problemResponse(timeout, 'r');
    assert.equal(response.statusCode, 503);
    assert.equal(response.headers?.['Retry-After'], '2');
    assert.equal(bodyOf(response).detail, 'The request took too long to complete; retry shortly.');
  });

  test('an unexpected error is a 500 whose details never reach the client', () => {
    const response = problemResponse(new Error('connection to 10.0.0.5 failed for jane@example.org'), 'r');
    assert.equal(response.statusCode, 500);
    assert.doesNotMatch(response.body ?? '', /10\.0\.0\.5|jane/);
  });

  test('a value PostgreSQL rejects (out of range, bad syntax) is a 400, not a 500', () => {
    const rejected = Object.assign(new Error('date/time field value out of range: "0000-01-01"'), { code: '22008' });
    const response = problemResponse(rejected, 'r');
    assert.equal(response.statusCode, 400);
    assert.doesNotMatch(response.body ?? '', /0000-01-01/);
  });

  test('error headers such as Retry-After are kept', () => {
    assert.equal(problemResponse(tooManyRequests(42), 'r').headers?.['Retry-After'], '42');
  });
});
