/**
 * serverless-offline's authorizer only decodes tokens; these tests prove the handlers themselves
 * reject every kind of forged or unusable token, so local runs are as strict as AWS.
 */
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { decodeProtectedHeader, importPKCS8, SignJWT } from 'jose';
import { call, login } from '../support/api.js';

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

let valid: string;
let kid: string;
let sub: string;
let devKeyPem: string;

before(async () => {
  valid = (await login()).token;
  kid = decodeProtectedHeader(valid).kid!;
  sub = JSON.parse(Buffer.from(valid.split('.')[1]!, 'base64url').toString()).sub as string;
  devKeyPem = await readFile(path.join(process.env.TEST_STACK_DIR!, 'dev-signing-key.pem'), 'utf8');
});

const claims = () => ({ scope: 'patients:read patients:write', role: 'admin' });

async function signWith(pem: string, options: { issuer?: string; audience?: string; lifetime?: number; iatOffset?: number; scope?: string } = {}) {
  const now = Math.floor(Date.now() / 1000) + (options.iatOffset ?? 0);
  return new SignJWT({ ...claims(), ...(options.scope !== undefined ? { scope: options.scope } : {}) })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setSubject(sub)
    .setIssuer(options.issuer ?? process.env.JWT_ISSUER!)
    .setAudience(options.audience ?? 'patient-management-api')
    .setIssuedAt(now)
    .setExpirationTime(now + (options.lifetime ?? 600))
    .sign(await importPKCS8(pem, 'RS256'));
}

const listPatients = (token: string) => call('GET', '/api/patients?limit=1', { token, contract: '/api/patients' });

describe('forged and unusable access tokens', () => {
  test('a genuine token is accepted (control)', async () => {
    assert.equal((await listPatients(valid)).status, 200);
  });

  test('alg "none" is rejected with 401', async () => {
    const [, payload] = valid.split('.');
    const forged = `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT', kid }))}.${payload}.`;
    assert.equal((await listPatients(forged)).status, 401);
  });

  test('a token signed by a different RSA key with the same kid is rejected with 401', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await signWith(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    assert.equal((await listPatients(forged)).status, 401);
  });

  test('HS256 signed with the public key as the HMAC secret is rejected with 401', async () => {
    const publicPem = createPublicKey(devKeyPem).export({ type: 'spki', format: 'pem' }).toString();
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid }));
    const payload = valid.split('.')[1]!;
    const signature = createHmac('sha256', publicPem).update(`${header}.${payload}`).digest('base64url');
    assert.equal((await listPatients(`${header}.${payload}.${signature}`)).status, 401);
  });

  test('a tampered payload (role and scope raised) is rejected with 401', async () => {
    const admin = await login();
    const [header, payload, signature] = admin.token.split('.');
    const body = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    body.scope = `${body.scope} extra:scope`;
    const tampered = `${header}.${b64url(JSON.stringify(body))}.${signature}`;
    assert.equal((await listPatients(tampered)).status, 401);
  });

  test('an expired token is rejected with 401', async () => {
    const expired = await signWith(devKeyPem, { iatOffset: -1200, lifetime: 600 });
    assert.equal((await listPatients(expired)).status, 401);
  });

  test('a token for another audience or from another issuer is rejected with 401', async () => {
    assert.equal((await listPatients(await signWith(devKeyPem, { audience: 'some-other-api' }))).status, 401);
    assert.equal((await listPatients(await signWith(devKeyPem, { issuer: 'https://evil.example' }))).status, 401);
  });

  test('a token living longer than 15 minutes is rejected with 401', async () => {
    assert.equal((await listPatients(await signWith(devKeyPem, { lifetime: 3600 }))).status, 401);
  });

  test('a genuine token without the needed scope is 403', async () => {
    const noWrite = await signWith(devKeyPem, { scope: 'patients:read' });
    assert.equal((await listPatients(noWrite)).status, 200);
    const create = await call('POST', '/api/patients', { token: noWrite, body: {}, contract: '/api/patients' });
    assert.equal(create.status, 403);
  });

  test('a token issued in the future (beyond a small clock skew) is rejected with 401, though its lifetime is within 15 minutes', async () => {
    const fromTheFuture = await signWith(devKeyPem, { iatOffset: 10 * 60, lifetime: 600 });
    assert.equal((await listPatients(fromTheFuture)).status, 401);
    const slightlyAhead = await signWith(devKeyPem, { iatOffset: 5, lifetime: 600 });
    assert.equal((await listPatients(slightlyAhead)).status, 200);
  });
});

describe('the authorization scheme', () => {
  test('"Bearer" is case-insensitive (RFC 9110)', async () => {
    for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
      const response = await call('GET', '/api/patients?limit=1', { headers: { Authorization: `${scheme} ${valid}` } });
      assert.equal(response.status, 200, scheme);
    }
  });

  test('another scheme is still 401', async () => {
    const response = await call('GET', '/api/patients?limit=1', { headers: { Authorization: `Basic ${valid}` } });
    assert.equal(response.status, 401);
  });
});
