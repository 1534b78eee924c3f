import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { kafkaAccess, scramCredentials } from './kafka-access.js';

describe('the Kafka SASL credentials secret', () => {
  test('is read as the event source reads it: JSON with username and password', () => {
    assert.deepEqual(scramCredentials('{"username":"relay","password":"s3cret","note":"ignored"}'), { username: 'relay', password: 's3cret' });
  });

  test('text that is not JSON is refused without repeating it', () => {
    assert.throws(() => scramCredentials('relay:s3cret'), (error: Error) =>
      /not JSON/.test(error.message) && !error.message.includes('s3cret'));
  });

  for (const [what, text] of [
    ['no password', '{"username":"relay"}'],
    ['an empty user name', '{"username":"","password":"s3cret"}'],
    ['a number for a password', '{"username":"relay","password":42}'],
    ['a JSON string', '"relay"'],
    ['JSON null', 'null'],
  ] as const) {
    test(`a secret with ${what} is refused, naming the fields it needs`, () => {
      assert.throws(() => scramCredentials(text), (error: Error) =>
        /"username" and "password"/.test(error.message) && !error.message.includes('s3cret'));
    });
  }

  test('the relay signs in only where credentials are configured, and then with them', async () => {
    delete process.env.KAFKA_SASL_CREDENTIALS;
    assert.equal((await kafkaAccess()).scram, undefined);
    process.env.KAFKA_SASL_CREDENTIALS = '{"username":"relay","password":"s3cret"}';
    try {
      assert.deepEqual((await kafkaAccess()).scram, { username: 'relay', password: 's3cret' });
    } finally {
      delete process.env.KAFKA_SASL_CREDENTIALS;
    }
  });
});
