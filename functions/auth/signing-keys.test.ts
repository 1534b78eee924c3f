import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { exportJWK } from 'jose';

const current = generateKeyPairSync('rsa', { modulusLength: 2048 });
const retired = generateKeyPairSync('rsa', { modulusLength: 2048 });
process.env.JWT_PRIVATE_KEY = current.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
process.env.JWT_KEY_ID = 'key-2026-11';
// A careless rotation that pastes the retired key's private JWK: its private members must never be published.
process.env.JWT_PREVIOUS_PUBLIC_JWKS = JSON.stringify({ keys: [{ ...(await exportJWK(retired.privateKey)), kid: 'key-2026-05' }] });
const { publicJwks } = await import('./signing-keys.js');

describe('the published JWKS', () => {
  test('publishes the current key and the retired key during a rotation', async () => {
    const { keys } = await publicJwks();
    assert.deepEqual(keys.map((key) => key.kid), ['key-2026-11', 'key-2026-05']);
  });

  test('publishes only public RSA members', async () => {
    const { keys } = await publicJwks();
    for (const key of keys) assert.deepEqual(Object.keys(key).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });
});
