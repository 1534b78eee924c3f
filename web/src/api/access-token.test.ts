import { describe, expect, test } from 'vitest';
import { identityOf } from './access-token';

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: object) => `${encode({ alg: 'ES256' })}.${encode(claims)}.signature`;

describe('identityOf', () => {
  test('reads the user, role and scopes from the token payload', () => {
    expect(identityOf(jwt({ sub: 'u-1', role: 'analyst', scope: 'analytics:read' }))).toEqual({ userId: 'u-1', role: 'analyst', scopes: ['analytics:read'] });
    expect(identityOf(jwt({ sub: 'u-1', role: 'admin', scope: 'patients:read patients:merge' })).scopes).toEqual(['patients:read', 'patients:merge']);
  });

  test('a token without scopes allows nothing', () => {
    expect(identityOf(jwt({ sub: 'u-1', role: 'admin' })).scopes).toEqual([]);
  });

  test('reads base64url payloads of any length, in UTF-8', () => {
    for (const sub of ['ü-ß?>>', 'ü-ß?>>x', 'ü-ß?>>xy']) expect(identityOf(jwt({ sub, role: 'admin' }))).toEqual({ userId: sub, role: 'admin', scopes: [] });
  });

  test('refuses a token without a known role', () => {
    expect(() => identityOf(jwt({ sub: 'u-1', role: 'root' }))).toThrow(/role/);
    expect(() => identityOf('not-a-jwt')).toThrow(/JWT/);
  });
});
