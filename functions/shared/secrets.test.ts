import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasSecret, resolveSecret } from './secrets.js';

describe('secrets', () => {
  test('a secret set in the environment is used as it is', async () => {
    process.env.UNIT_TEST_SECRET = 'local value';
    assert.equal(await resolveSecret('UNIT_TEST_SECRET'), 'local value');
  });

  test('a secret with neither a value nor a parameter name fails with a message naming all three', async () => {
    await assert.rejects(resolveSecret('UNIT_TEST_ABSENT'), /UNIT_TEST_ABSENT, UNIT_TEST_ABSENT_PARAMETER or UNIT_TEST_ABSENT_SECRET_ARN/);
  });

  test('a secret counts as configured in any of its three forms, and not at all without one', () => {
    assert.equal(hasSecret('UNIT_TEST_NOWHERE'), false);
    for (const suffix of ['', '_PARAMETER', '_SECRET_ARN']) {
      process.env[`UNIT_TEST_FORM${suffix}`] = 'set';
      assert.equal(hasSecret('UNIT_TEST_FORM'), true, `configured as UNIT_TEST_FORM${suffix}`);
      delete process.env[`UNIT_TEST_FORM${suffix}`];
    }
  });
});
