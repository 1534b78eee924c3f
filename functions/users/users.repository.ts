/** SQL for listing and changing staff accounts. Takes a Kysely or a Transaction: the caller owns the transaction. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Role } from '../auth/scopes.js';
import type { Database } from '../shared/db.schema.js';

type Db = Kysely<Database> | Transaction<Database>;

const userColumns = ['id', 'email', 'role', 'disabled_at', 'created_at'] as const;

/** Ordered by email, case-insensitively (the unique index `users_email_key` is on lower(email)). */
export function listUsers(db: Db, page: { afterEmail?: string; limit: number }) {
  let query = db.selectFrom('users').select(userColumns).orderBy(sql`lower(email)`).limit(page.limit);
  if (page.afterEmail !== undefined) query = query.where(sql<string>`lower(email)`, '>', page.afterEmail);
  return query.execute();
}

/** Locks the given accounts in id order (two admins changing each other cannot deadlock). */
export function lockUsers(db: Db, ids: string[]) {
  return db.selectFrom('users').select(userColumns).where('id', 'in', ids).orderBy('id').forUpdate().execute();
}

export function updateUser(db: Db, id: string, changes: { disabledAt?: Date | null; role?: Role }) {
  return db
    .updateTable('users')
    .set({
      ...(changes.disabledAt !== undefined ? { disabled_at: changes.disabledAt } : {}),
      ...(changes.role !== undefined ? { role: changes.role } : {}),
    })
    .where('id', '=', id)
    .returning(userColumns)
    .executeTakeFirstOrThrow();
}
