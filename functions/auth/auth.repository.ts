/** SQL for users, refresh tokens and login failures. Takes a Kysely or a Transaction: the caller owns the transaction. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../shared/db.schema.js';
import { ADVISORY_LOCK_SPACE } from '../shared/advisory-locks.js';
import type { Role } from './scopes.js';

type Db = Kysely<Database> | Transaction<Database>;

export function findUserByEmail(db: Db, email: string) {
  return db.selectFrom('users').selectAll().where(sql<string>`lower(email)`, '=', email.toLowerCase()).executeTakeFirst();
}

export function findUserById(db: Db, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function insertUser(db: Db, user: { email: string; passwordHash: string; role: Role }) {
  return db
    .insertInto('users')
    .values({ email: user.email, password_hash: user.passwordHash, role: user.role })
    .returning(['id', 'email', 'role', 'disabled_at', 'created_at'])
    .executeTakeFirstOrThrow();
}

export function insertRefreshToken(db: Db, token: { tokenHash: string; familyId: string; userId: string; expiresAt: Date }) {
  return db
    .insertInto('refresh_tokens')
    .values({ token_hash: token.tokenHash, family_id: token.familyId, user_id: token.userId, expires_at: token.expiresAt, used_at: null, revoked_at: null })
    .execute();
}

export function lockRefreshToken(db: Db, tokenHash: string) {
  return db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).forUpdate().executeTakeFirst();
}

export function markRefreshTokenUsed(db: Db, id: string) {
  return db.updateTable('refresh_tokens').set({ used_at: new Date() }).where('id', '=', id).execute();
}

export function revokeRefreshFamily(db: Db, familyId: string) {
  return db.updateTable('refresh_tokens').set({ revoked_at: new Date() }).where('family_id', '=', familyId).where('revoked_at', 'is', null).execute();
}

export function revokeRefreshToken(db: Db, tokenHash: string, userId: string) {
  return db
    .updateTable('refresh_tokens')
    .set({ revoked_at: new Date() })
    .where('token_hash', '=', tokenHash)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Every refresh token of the sign-in (family) that `tokenHash` belongs to, if it is the user's. */
export function revokeRefreshFamilyOfToken(db: Db, tokenHash: string, userId: string) {
  return db
    .updateTable('refresh_tokens')
    .set({ revoked_at: new Date() })
    .where('family_id', '=', (eb) =>
      eb.selectFrom('refresh_tokens').select('family_id').where('token_hash', '=', tokenHash).where('user_id', '=', userId),
    )
    .where('revoked_at', 'is', null)
    .execute();
}

/** Every live refresh token of the user, whatever sign-in it came from (the account was disabled). */
export function revokeAllRefreshTokens(db: Db, userId: string) {
  return db.updateTable('refresh_tokens').set({ revoked_at: new Date() }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}

/** Serializes login attempts on one throttle subject until the caller's transaction ends. */
export async function lockThrottleSubject(db: Db, subject: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${ADVISORY_LOCK_SPACE.login}, hashtext(${subject}))`.execute(db);
}

/** Failures per subject inside the window, and when the oldest of them leaves it. */
export async function countRecentFailures(db: Db, subjects: string[], windowSeconds: number) {
  return db
    .selectFrom('login_failures')
    .select(['subject', sql<number>`count(*)::int`.as('failures'), sql<Date>`min(failed_at)`.as('oldest')])
    .where('subject', 'in', subjects)
    .where('failed_at', '>', sql<Date>`now() - make_interval(secs => ${windowSeconds})`)
    .groupBy('subject')
    .execute();
}

export async function recordFailures(db: Db, subjects: string[], windowSeconds: number) {
  await db.insertInto('login_failures').values(subjects.map((subject) => ({ subject }))).execute();
  await db
    .deleteFrom('login_failures')
    .where('failed_at', '<', sql<Date>`now() - make_interval(secs => ${windowSeconds})`)
    .execute();
}

export function clearFailures(db: Db, subject: string) {
  return db.deleteFrom('login_failures').where('subject', '=', subject).execute();
}

/** Expired or revoked refresh tokens of a user serve no purpose once their family can no longer be reused. */
export function deleteStaleRefreshTokens(db: Db, userId: string) {
  return db
    .deleteFrom('refresh_tokens')
    .where('user_id', '=', userId)
    .where('expires_at', '<', sql<Date>`now() - interval '1 day'`)
    .execute();
}
