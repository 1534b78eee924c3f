import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hashPassword, verifyPassword } from './password.js';

describe('password hashing', () => {
  test('a hash verifies the password it was made from', async () => {
    assert.equal(await verifyPassword('correct horse', await hashPassword('correct horse')), true);
  });

  test('a hash rejects any other password', async () => {
    assert.equal(await verifyPassword('Correct horse', await hashPassword('correct horse')), false);
  });

  test('the same password hashes differently each time (salted) and never contains the password', async () => {
    const [a, b] = [await hashPassword('correct horse'), await hashPassword('correct horse')];
    assert.notEqual(a, b);
    assert.ok(!a.includes('correct horse'));
    assert.match(a, /^scrypt\$32768\$8\$1\$/);
  });

  test('a malformed stored hash never verifies', async () => {
    assert.equal(await verifyPassword('x', 'md5$abc'), false);
  });
});
