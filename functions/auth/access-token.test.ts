import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { createLocalJWKSet, exportJWK, type JWTVerifyGetKey } from 'jose';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
process.env.JWT_PRIVATE_KEY = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
process.env.JWT_KEY_ID = 'unit-test';
const { issueAccessToken, verifyAccessToken, InvalidTokenError } = await import('./access-token.js');

let keys: JWTVerifyGetKey;
before(async () => {
  keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'unit-test', alg: 'RS256' }] });
});

describe('access tokens', () => {
  test('an issued token verifies and carries the role and its scopes', async () => {
    const { token, expiresIn } = await issueAccessToken('user-1', 'clinician');
    const actor = await verifyAccessToken(token, keys);
    assert.equal(actor.sub, 'user-1');
    assert.equal(actor.role, 'clinician');
    assert.deepEqual([...actor.scopes].sort(), ['patients:read', 'patients:write']);
    assert.ok(expiresIn <= 900);
  });

  test('an analyst gets only analytics:read', async () => {
    const actor = await verifyAccessToken((await issueAccessToken('user-2', 'analyst')).token, keys);
    assert.deepEqual([...actor.scopes], ['analytics:read']);
  });

  test('a token whose signature was altered is rejected', async () => {
    const { token } = await issueAccessToken('user-1', 'admin');
    const altered = `${token.slice(0, -4)}AAAA`;
    await assert.rejects(verifyAccessToken(altered, keys), InvalidTokenError);
  });
});
