/**
 * A fresh, empty database for one integration test file, on the server the test runner started
 * (TEST_ADMIN_DATABASE_URL, set by scripts/test.ts). Callers migrate it themselves.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../functions/shared/db.schema.js';
import { dropDatabase, ensureDatabase, withDatabase } from '../../scripts/local/postgres.js';
import { migrateToLatest } from '../../scripts/migrate.js';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(prefix = 'it'): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_ADMIN_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_ADMIN_DATABASE_URL is not set: run integration tests with `npm test`');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(adminUrl, name);
  return { url: withDatabase(adminUrl, name), drop: () => dropDatabase(adminUrl, name) };
}

/** A fresh database migrated to the latest schema, with a Kysely handle on it; `close()` drops it. */
export async function createMigratedTestDatabase(prefix: string, poolSize = 2): Promise<{ url: string; db: Kysely<Database>; close(): Promise<void> }> {
  const database = await createTestDatabase(prefix);
  await migrateToLatest(database.url);
  // Imported here, not at the top: the functions' config is read once on first import, and test files
  // that import this module set their environment after importing it.
  const { createDb } = await import('../../functions/shared/db.js');
  const db = createDb(database.url, poolSize);
  return {
    url: database.url,
    db,
    close: async () => {
      await db.destroy();
      await database.drop();
    },
  };
}
