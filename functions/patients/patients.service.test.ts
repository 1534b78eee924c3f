import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeCursor, encodeCursor } from './patients.service.js';

describe('list cursors', () => {
  test('a cursor round-trips its position', () => {
    assert.equal(decodeCursor(encodeCursor(12345)), 12345);
  });

  test('a cursor that this API did not issue is a 400 naming query.cursor', () => {
    assert.throws(() => decodeCursor('bogus'), (error: { status: number; errors: { field: string }[] }) =>
      error.status === 400 && error.errors[0]?.field === 'query.cursor');
  });
});
