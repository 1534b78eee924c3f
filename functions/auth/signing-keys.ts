/**
 * The public keys tokens are verified with: JWT_PUBLIC_JWKS, the current signing key's public half plus
 * retired keys kept during a rotation. Handlers verify with them locally; the JWKS route publishes them.
 */
import type { JWK } from 'jose';
import { config } from '../shared/config.js';

let cached: { keys: JWK[] } | undefined;

export function publicJwks(): { keys: JWK[] } {
  cached ??= parse(config.jwt.publicJwks);
  return cached;
}

function parse(text: string): { keys: JWK[] } {
  if (!text) throw new Error('Missing configuration: set JWT_PUBLIC_JWKS to the JWKS of the token verification keys');
  const keys = (JSON.parse(text) as { keys?: JWK[] }).keys ?? [];
  // Only public RSA members are used or published, whatever the configuration held.
  return {
    keys: keys
      .filter((key) => key.kty === 'RSA' && key.kid)
      .map(({ kty, n, e, kid, alg, use }) => ({ kty, n, e, kid, alg: alg ?? 'RS256', use: use ?? 'sig' })),
  };
}
