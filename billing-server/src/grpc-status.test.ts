import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { status } from '@grpc/grpc-js';
import { BillingPreconditionError, InvalidBillingRequestError } from './billing.errors.js';
import { outcomeOfError } from './grpc-status.js';

const pgError = (code: string) => Object.assign(new Error('database error'), { code });

describe('gRPC status of a failed call', () => {
  for (const [code, meaning] of [['53300', 'too many clients'], ['57P03', 'starting up'], ['08006', 'connection lost'], ['40001', 'serialization failure']] as const) {
    test(`a saturated or absent database (${code}, ${meaning}) is UNAVAILABLE, so callers retry`, () => {
      assert.equal(outcomeOfError(pgError(code)).code, status.UNAVAILABLE);
    });
  }

  test('no connection from the pool in time is UNAVAILABLE', () => {
    assert.equal(outcomeOfError(new Error('timeout exceeded when trying to connect')).code, status.UNAVAILABLE);
  });

  test('a refused request stays INVALID_ARGUMENT', () => {
    assert.equal(outcomeOfError(new InvalidBillingRequestError('bad email')).code, status.INVALID_ARGUMENT);
  });

  test('a call that conflicts with a merged account is FAILED_PRECONDITION, with its message', () => {
    const outcome = outcomeOfError(new BillingPreconditionError('the account is merged'));
    assert.deepEqual([outcome.code, outcome.details, outcome.unexpected], [status.FAILED_PRECONDITION, 'the account is merged', false]);
  });

  test('a bug stays INTERNAL with its details withheld', () => {
    assert.deepEqual([outcomeOfError(new TypeError('x is undefined')).code, outcomeOfError(new TypeError('x')).details], [status.INTERNAL, 'internal error']);
  });
});
