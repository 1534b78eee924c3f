/**
 * Access tokens: RS256 JWTs with a `kid`, signed with the configured private key and verified against
 * the published JWKS. serverless-offline's authorizer only decodes tokens, so every handler verifies
 * signature, issuer, audience, expiry and lifetime itself; locally that makes it as strict as AWS.
 */
import { createRemoteJWKSet, importPKCS8, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { config } from '../shared/config.js';
import { resolveSecret } from '../shared/secrets.js';
import { isRole, ROLE_SCOPES, type Role } from './scopes.js';

export interface Actor {
  sub: string;
  role: Role;
  scopes: ReadonlySet<string>;
}

const MAX_LIFETIME_SECONDS = 15 * 60;

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

// Keys are fetched once per container and cached; an unknown `kid` triggers at most one refetch per cooldown.
let remoteKeys: JWTVerifyGetKey | undefined;

function publishedKeys(): JWTVerifyGetKey {
  remoteKeys ??= createRemoteJWKSet(new URL(config.jwt.jwksUrl), {
    cacheMaxAge: 10 * 60 * 1000,
    cooldownDuration: 30 * 1000,
    timeoutDuration: 3000,
  });
  return remoteKeys;
}

export class InvalidTokenError extends Error {}

export async function verifyAccessToken(token: string, keys: JWTVerifyGetKey = publishedKeys()): Promise<Actor> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: ['RS256'],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      requiredClaims: ['sub', 'iat', 'exp'],
    }));
  } catch (error) {
    throw new InvalidTokenError(error instanceof Error ? error.message : 'invalid token');
  }
  const { sub, iat, exp, scope, role } = payload;
  if (!sub || typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > MAX_LIFETIME_SECONDS) {
    throw new InvalidTokenError('token lifetime exceeds the allowed maximum');
  }
  if (typeof scope !== 'string' || !isRole(role)) throw new InvalidTokenError('token lacks scope or role');
  return { sub, role, scopes: new Set(scope.split(' ').filter(Boolean)) };
}
