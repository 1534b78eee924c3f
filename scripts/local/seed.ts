/**
 * LOCAL-DEVELOPMENT seed: the seed system's user testuser@test.com / password123 with role admin.
 * Only `npm run dev` and the tests call this; no deployed stage ever runs it.
 */
import { createUser } from '../../functions/auth/auth.service.js';
import { findUserByEmail } from '../../functions/auth/auth.repository.js';
import { createDb } from '../../functions/shared/db.js';

export const DEV_USER = { email: 'testuser@test.com', password: 'password123', role: 'admin' } as const;

export async function seedDevUser(databaseUrl: string): Promise<void> {
  const db = createDb(databaseUrl, 1);
  try {
    if (!(await findUserByEmail(db, DEV_USER.email))) await createUser(db, { ...DEV_USER });
  } finally {
    await db.destroy();
  }
}
