/** Sign-in, token rotation, sign-out and staff accounts. Plain functions over plain types. */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { config } from '../shared/config.js';
import type { Database } from '../shared/db.schema.js';
import { conflict, invalidCredentials, invalidRefreshToken, tooManyRequests, validationFailed } from '../shared/errors.js';
import { getSigningKey, issueAccessToken } from './access-token.js';
import * as repo from './auth.repository.js';
import { decoyHash, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './password.js';
import type { Role } from './scopes.js';

export interface TokenPair {
  token: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Throttle keys: the account (hashed, so the table holds no emails) and the source address. */
function throttleSubjects(email: string, sourceIp: string) {
  return { account: `account:${sha256(email.trim().toLowerCase())}`, source: `source:${sourceIp}` };
}

export async function login(db: Kysely<Database>, input: { email: string; password: string; sourceIp: string }): Promise<TokenPair> {
  // Loaded before anything is written: a key that cannot be loaded must not leave a half-issued login.
  await getSigningKey();
  const subjects = throttleSubjects(input.email, input.sourceIp);
  const { maxFailures, maxFailuresPerSource, windowSeconds } = config.login;
  // Attempts on one account are serialized (a transaction-scoped advisory lock), so parallel guesses
  // cannot all pass the check before any failure is recorded.
  const outcome = await db.transaction().execute(async (trx) => {
    await repo.lockThrottleSubject(trx, subjects.account);
    const recent = await repo.countRecentFailures(trx, [subjects.account, subjects.source], windowSeconds);
    const blocked = recent.find((row) => row.failures >= (row.subject === subjects.source ? maxFailuresPerSource : maxFailures));
    if (blocked) {
      const retryAfter = Math.max(1, Math.ceil((new Date(blocked.oldest).getTime() + windowSeconds * 1000 - Date.now()) / 1000));
      return { kind: 'throttled' as const, retryAfter };
    }
    const user = await repo.findUserByEmail(trx, input.email.trim());
    const valid = await verifyPassword(input.password, user?.password_hash ?? (await decoyHash()));
    // A disabled account gets the same answer as a wrong password: nobody learns it exists.
    if (!user || !valid || user.disabled_at) {
      await repo.recordFailures(trx, [subjects.account, subjects.source], windowSeconds);
      return { kind: 'invalid' as const };
    }
    await repo.clearFailures(trx, subjects.account);
    await repo.deleteStaleRefreshTokens(trx, user.id);
    const refreshToken = await storeRefreshToken(trx, user.id, randomUUID());
    return { kind: 'ok' as const, user, refreshToken };
  });
  if (outcome.kind === 'throttled') throw tooManyRequests(outcome.retryAfter);
  if (outcome.kind === 'invalid') throw invalidCredentials();
  return tokenPair(outcome.user.id, outcome.user.role, outcome.refreshToken);
}

/** Stores a new refresh token of `familyId` (in the caller's transaction) and returns it. */
async function storeRefreshToken(db: Kysely<Database> | Transaction<Database>, userId: string, familyId: string): Promise<string> {
  const refreshToken = randomBytes(32).toString('base64url');
  await repo.insertRefreshToken(db, {
    tokenHash: sha256(refreshToken),
    familyId,
    userId,
    expiresAt: new Date(Date.now() + config.jwt.refreshTokenTtlSeconds * 1000),
  });
  return refreshToken;
}

async function tokenPair(userId: string, role: Role, refreshToken: string): Promise<TokenPair> {
  const { token, expiresIn } = await issueAccessToken(userId, role);
  return { token, refreshToken, expiresIn, tokenType: 'Bearer' };
}

/**
 * Rotates a refresh token. Presenting one that was already used means it leaked: the whole family
 * (every token descended from that login) is revoked, and that revocation commits even though the
 * caller gets a 401.
 */
export async function refresh(db: Kysely<Database>, refreshToken: string): Promise<TokenPair> {
  // Before the rotation commits: if the key cannot be loaded, the presented token must stay usable.
  await getSigningKey();
  const outcome = await db.transaction().execute(async (trx) => {
    const stored = await repo.lockRefreshToken(trx, sha256(refreshToken));
    if (!stored || stored.revoked_at) return { ok: false as const };
    if (stored.used_at) {
      await repo.revokeRefreshFamily(trx, stored.family_id);
      return { ok: false as const };
    }
    if (stored.expires_at.getTime() <= Date.now()) return { ok: false as const };
    const user = await repo.findUserById(trx, stored.user_id);
    if (!user || user.disabled_at) return { ok: false as const };
    await repo.markRefreshTokenUsed(trx, stored.id);
    // The successor is stored in the same transaction: a concurrent reuse of the old token waits for
    // this commit and then revokes the whole family, successor included.
    const successor = await storeRefreshToken(trx, user.id, stored.family_id);
    return { ok: true as const, user, successor };
  });
  if (!outcome.ok) throw invalidRefreshToken();
  return tokenPair(outcome.user.id, outcome.user.role, outcome.successor);
}

export async function logout(db: Kysely<Database>, userId: string, refreshToken: string): Promise<void> {
  await repo.revokeRefreshToken(db, sha256(refreshToken), userId);
}

/** Ends the whole sign-in the refresh token belongs to (the console's sign-out), if it is the user's. */
export async function endSession(db: Kysely<Database>, userId: string, refreshToken: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // A rotation of this token in flight holds its row: wait for it to commit, so that the successor it
    // stored is revoked with the rest (otherwise a sign-out racing a renewal leaves that successor working).
    await repo.lockRefreshToken(trx, sha256(refreshToken));
    await repo.revokeRefreshFamilyOfToken(trx, sha256(refreshToken), userId);
  });
}

export async function createUser(db: Kysely<Database>, input: { email: string; password: string; role: Role }) {
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw validationFailed([{ field: '/password', message: `must be at least ${MIN_PASSWORD_LENGTH} characters` }]);
  }
  const passwordHash = await hashPassword(input.password);
  try {
    return await repo.insertUser(db, { email: input.email.trim(), passwordHash, role: input.role });
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw conflict('email-taken', 'A user with this email already exists.');
    throw error;
  }
}
