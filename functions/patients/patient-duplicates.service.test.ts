import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { orderedPair } from './patient-duplicates.service.js';
import { decodeCursor, encodeCursor } from './patients.service.js';

describe('duplicate pairs', () => {
  test('a pair is stored one way round whichever way it is named, in lower case', () => {
    const low = '0b7c3b2e-0000-4000-8000-000000000001';
    const high = 'F00DCAFE-0000-4000-8000-000000000002';
    assert.deepEqual(orderedPair(high, low), { patientA: low, patientB: high.toLowerCase() });
    assert.deepEqual(orderedPair(low, high), orderedPair(high, low));
  });

  test('a report cursor round-trips its position', () => {
    assert.equal(decodeCursor(encodeCursor(9876, 'pair'), 'pair'), 9876);
  });

  test('a cursor that this API did not issue, or one of the patient list, is a 400 naming query.cursor', () => {
    for (const cursor of ['bogus', encodeCursor(12, 'seq')]) {
      assert.throws(() => decodeCursor(cursor, 'pair'), (error: { status: number; errors: { field: string }[] }) =>
        error.status === 400 && error.errors[0]?.field === 'query.cursor');
    }
  });
});
