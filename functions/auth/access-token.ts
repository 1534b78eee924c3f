/**
 * Access tokens: RS256 JWTs with a `kid`, signed with the configured private key and verified against
 * the configured public keys (JWT_PUBLIC_JWKS, see signing-keys.ts) — never by fetching our own JWKS.
 * serverless-offline's authorizer only decodes tokens, so every handler verifies signature, issuer,
 * audience, expiry, issue time and lifetime itself; locally that makes it as strict as AWS.
 */
import { createLocalJWKSet, importPKCS8, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { config } from '../shared/config.js';
import { resolveSecret } from '../shared/secrets.js';
import { isRole, ROLE_SCOPES, type Role } from './scopes.js';
import { publicJwks } from './signing-keys.js';

export interface Actor {
  sub: string;
  role: Role;
  scopes: ReadonlySet<string>;
}

const MAX_LIFETIME_SECONDS = 15 * 60;
/** Clocks of the signer and the verifier may differ this much. */
const CLOCK_SKEW_SECONDS = 30;

type SigningKey = Awaited<ReturnType<typeof importPKCS8>>;
let signingKey: Promise<SigningKey> | undefined;

/** The signing key, loaded once per container; a failed load is retried by the next call. */
export function getSigningKey(): Promise<SigningKey> {
  signingKey ??= resolveSecret('JWT_PRIVATE_KEY')
    .then((pem) => importPKCS8(pem, 'RS256', { extractable: true }))
    .catch((error: unknown) => {
      signingKey = undefined;
      throw error;
    });
  return signingKey;
}

export async function issueAccessToken(userId: string, role: Role): Promise<{ token: string; expiresIn: number }> {
  const expiresIn = config.jwt.accessTokenTtlSeconds;
  const token = await new SignJWT({ scope: ROLE_SCOPES[role].join(' '), role })
    .setProtectedHeader({ alg: 'RS256', kid: config.jwt.keyId, typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(config.jwt.issuer)
    .setAudience(config.jwt.audience)
    .setIssuedAt()
    .setExpirationTime(`${expiresIn}s`)
    .sign(await getSigningKey());
  return { token, expiresIn };
}

let verificationKeys: JWTVerifyGetKey | undefined;

function configuredKeys(): JWTVerifyGetKey {
  verificationKeys ??= createLocalJWKSet(publicJwks());
  return verificationKeys;
}

export class InvalidTokenError extends Error {}

/**
 * Tokens this container has already verified, until they expire: a member of staff sends the same token
 * with every request for up to 15 minutes, and its signature does not change in between.
 */
const verified = new Map<string, { actor: Actor; expiresAt: number }>();
const MAX_REMEMBERED_TOKENS = 1000;

export async function verifyAccessToken(token: string, keys?: JWTVerifyGetKey): Promise<Actor> {
  if (keys) return (await verifyWith(token, keys)).actor;
  const known = verified.get(token);
  if (known && known.expiresAt > Date.now()) return known.actor;
  const checked = await verifyWith(token, configuredKeys());
  if (verified.size >= MAX_REMEMBERED_TOKENS) verified.delete(verified.keys().next().value!);
  verified.set(token, checked);
  return checked.actor;
}

async function verifyWith(token: string, keys: JWTVerifyGetKey): Promise<{ actor: Actor; expiresAt: number }> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: ['RS256'],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      requiredClaims: ['sub', 'iat', 'exp'],
      clockTolerance: CLOCK_SKEW_SECONDS,
    }));
  } catch (error) {
    throw new InvalidTokenError(error instanceof Error ? error.message : 'invalid token');
  }
  const { sub, iat, exp, scope, role } = payload;
  if (!sub || typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > MAX_LIFETIME_SECONDS) {
    throw new InvalidTokenError('token lifetime exceeds the allowed maximum');
  }
  // A token "issued" in the future would outlive the 15-minute cap counted from now.
  if (iat > Date.now() / 1000 + CLOCK_SKEW_SECONDS) throw new InvalidTokenError('token issued in the future');
  if (typeof scope !== 'string' || !isRole(role)) throw new InvalidTokenError('token lacks scope or role');
  return { actor: { sub, role, scopes: new Set(scope.split(' ').filter(Boolean)) }, expiresAt: exp * 1000 };
}
