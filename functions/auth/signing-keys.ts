/** The published JWKS: the current signing key's public half plus retired keys kept during rotation. */
import { createPublicKey } from 'node:crypto';
import { exportJWK, type JWK } from 'jose';
import { config } from '../shared/config.js';
import { resolveSecret } from '../shared/secrets.js';

let cached: Promise<{ keys: JWK[] }> | undefined;

export function publicJwks(): Promise<{ keys: JWK[] }> {
  cached ??= build().catch((error: unknown) => {
    cached = undefined; // a failed load (the key parameter unreachable) is retried by the next request
    throw error;
  });
  return cached;
}

async function build(): Promise<{ keys: JWK[] }> {
  const current = await exportJWK(createPublicKey(await resolveSecret('JWT_PRIVATE_KEY')));
  const previous: JWK[] = config.jwt.previousPublicKeys ? (JSON.parse(config.jwt.previousPublicKeys) as { keys: JWK[] }).keys : [];
  const keys = [{ ...current, kid: config.jwt.keyId, alg: 'RS256', use: 'sig' }, ...previous.filter((key) => key.kty === 'RSA')];
  // Only public members leave this function, whatever the configuration held.
  return { keys: keys.map(({ kty, n, e, kid, alg, use }) => ({ kty, n, e, kid, alg: alg ?? 'RS256', use: use ?? 'sig' })) };
}
