import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { countActivePatients } from './analytics.service.js';

describe('counting active patients', () => {
  test('created minus deleted minus merged plus unmerged', () => {
    assert.equal(countActivePatients({ created: 10, deleted: 2, merged: 3, unmerged: 1 }), 6);
  });

  test('a merge makes one patient of two, and undoing it two again', () => {
    const merged = countActivePatients({ created: 2, deleted: 0, merged: 1, unmerged: 0 });
    const undone = countActivePatients({ created: 2, deleted: 0, merged: 1, unmerged: 1 });

    assert.deepEqual([merged, undone], [1, 2]);
  });

  test('is never negative when the creations fell out of the topic\'s retention', () => {
    assert.equal(countActivePatients({ created: 1, deleted: 1, merged: 2, unmerged: 0 }), 0);
  });
});
