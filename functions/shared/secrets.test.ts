import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resolveSecret } from './secrets.js';

describe('secrets', () => {
  test('a secret set in the environment is used as it is', async () => {
    process.env.UNIT_TEST_SECRET = 'local value';
    assert.equal(await resolveSecret('UNIT_TEST_SECRET'), 'local value');
  });

  test('a secret with neither a value nor a parameter name fails with a message naming all three', async () => {
    await assert.rejects(resolveSecret('UNIT_TEST_ABSENT'), /UNIT_TEST_ABSENT, UNIT_TEST_ABSENT_PARAMETER or UNIT_TEST_ABSENT_SECRET_ARN/);
  });
});
