/**
 * Who the access token names: its payload's `sub`, `role` and `scope`, read without verifying the signature (the API
 * verifies every request). Reading it here spares a round trip to /auth/validate on every sign-in and renewal.
 */
import type { Identity, Role } from './session';

const roles: readonly Role[] = ['admin', 'clinician', 'analyst'];

export function identityOf(token: string): Identity {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('the access token is not a JWT');
  const base64 = payload.replaceAll('-', '+').replaceAll('_', '/');
  const bytes = Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')), (char) => char.charCodeAt(0));
  const claims = JSON.parse(new TextDecoder().decode(bytes)) as { sub?: unknown; role?: unknown; scope?: unknown };
  if (typeof claims.sub !== 'string' || !roles.includes(claims.role as Role)) throw new Error('the access token names no user or role');
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
  return { userId: claims.sub, role: claims.role as Role, scopes };
}
