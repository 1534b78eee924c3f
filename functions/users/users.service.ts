/**
 * Staff accounts as the admin sees them: listing, disabling and re-enabling, changing a role.
 * Creating one (which hashes a password) is `createUser` in auth.service.ts.
 */
import type { Kysely } from 'kysely';
import * as authRepo from '../auth/auth.repository.js';
import type { Role } from '../auth/scopes.js';
import type { Database } from '../shared/db.schema.js';
import { conflict, forbidden, notFound, validationFailed } from '../shared/errors.js';
import * as repo from './users.repository.js';

export interface User {
  id: string;
  email: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

export interface UserPage {
  users: User[];
  nextCursor: string | null;
}

export function toUser(row: { id: string; email: string; role: Role; disabled_at: Date | null; created_at: Date }): User {
  return { id: row.id, email: row.email, role: row.role, disabled: row.disabled_at !== null, createdAt: row.created_at.toISOString() };
}

// The cursor is the last email of the page (lower-cased), opaque to clients.
export function encodeCursor(email: string): string {
  return Buffer.from(`email:${email.toLowerCase()}`).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const match = /^email:(.+)$/s.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) throw validationFailed([{ field: 'query.cursor', message: 'is not a cursor returned by this API' }]);
  return match[1];
}

export async function listUsers(db: Kysely<Database>, page: { cursor?: string; limit: number }): Promise<UserPage> {
  const afterEmail = page.cursor ? decodeCursor(page.cursor) : undefined;
  // One row more than asked tells whether another page exists.
  const rows = await repo.listUsers(db, { afterEmail, limit: page.limit + 1 });
  const users = rows.slice(0, page.limit);
  const last = users.at(-1);
  return { users: users.map(toUser), nextCursor: rows.length > page.limit && last ? encodeCursor(last.email) : null };
}

/**
 * Disables, re-enables or changes the role of an account. Disabling revokes all its refresh tokens in the
 * same transaction, so no session outlives it beyond its current access token (at most 15 minutes). The
 * caller must still be an enabled admin in the database, whatever their token says.
 */
export async function updateUser(
  db: Kysely<Database>,
  actorId: string,
  id: string,
  changes: { disabled?: boolean; role?: Role },
): Promise<User> {
  return db.transaction().execute(async (trx) => {
    const locked = await repo.lockUsers(trx, [...new Set([actorId, id])]);
    // The caller's access token outlives a disable or demotion by up to 15 minutes; their account must not.
    const actor = locked.find((row) => row.id === actorId);
    if (!actor || actor.disabled_at || actor.role !== 'admin') throw forbidden('Your account may no longer manage staff accounts.');
    const current = locked.find((row) => row.id === id);
    if (!current) throw notFound('No user with this id.');
    if (id === actorId && changes.disabled === true) throw conflict('cannot-disable-self', 'You cannot disable your own account.');
    if (id === actorId && changes.role !== undefined && changes.role !== current.role) {
      throw conflict('cannot-change-own-role', 'You cannot change your own role.');
    }
    const disabledAt = changes.disabled === undefined ? undefined : changes.disabled ? (current.disabled_at ?? new Date()) : null;
    const updated = await repo.updateUser(trx, id, { disabledAt, role: changes.role });
    if (changes.disabled === true) await authRepo.revokeAllRefreshTokens(trx, id);
    return toUser(updated);
  });
}
