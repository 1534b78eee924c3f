import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { exportJWK, SignJWT } from 'jose';

const current = generateKeyPairSync('rsa', { modulusLength: 2048 });
const retired = generateKeyPairSync('rsa', { modulusLength: 2048 });
process.env.JWT_PRIVATE_KEY = current.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
process.env.JWT_KEY_ID = 'key-2026-11';
// A careless rotation that pastes the retired key's private JWK: its private members must never be published.
process.env.JWT_PUBLIC_JWKS = JSON.stringify({
  keys: [
    { ...(await exportJWK(current.publicKey)), kid: 'key-2026-11' },
    { ...(await exportJWK(retired.privateKey)), kid: 'key-2026-05' },
  ],
});
const { publicJwks } = await import('./signing-keys.js');
const { issueAccessToken, verifyAccessToken, InvalidTokenError } = await import('./access-token.js');

const tokenSignedBy = (key: typeof retired.privateKey, kid: string, iat = Math.floor(Date.now() / 1000)) =>
  new SignJWT({ scope: 'patients:read', role: 'clinician' })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setSubject('user-1')
    .setIssuer('http://localhost:4000')
    .setAudience('patient-management-api')
    .setIssuedAt(iat)
    .setExpirationTime(iat + 600)
    .sign(key);

describe('the configured verification keys', () => {
  test('publishes the current key and the retired key during a rotation', () => {
    assert.deepEqual(publicJwks().keys.map((key) => key.kid), ['key-2026-11', 'key-2026-05']);
  });

  test('publishes only public RSA members', () => {
    for (const key of publicJwks().keys) assert.deepEqual(Object.keys(key).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });

  test('verify tokens of the current key without fetching anything', async () => {
    const actor = await verifyAccessToken((await issueAccessToken('user-1', 'admin')).token);
    assert.equal(actor.role, 'admin');
  });

  test('still verify a token of the retired key while it is listed', async () => {
    const actor = await verifyAccessToken(await tokenSignedBy(retired.privateKey, 'key-2026-05'));
    assert.equal(actor.sub, 'user-1');
  });

  test('refuse a token whose issue time lies in the future beyond the clock skew', async () => {
    const inTenMinutes = Math.floor(Date.now() / 1000) + 600;
    await assert.rejects(verifyAccessToken(await tokenSignedBy(current.privateKey, 'key-2026-11', inTenMinutes)), InvalidTokenError);
  });

  test('accept a token issued a few seconds ahead (clock skew)', async () => {
    const soon = Math.floor(Date.now() / 1000) + 5;
    const actor = await verifyAccessToken(await tokenSignedBy(current.privateKey, 'key-2026-11', soon));
    assert.equal(actor.sub, 'user-1');
  });
});
