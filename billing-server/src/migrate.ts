/** Brings the `billing` schema to the latest migration; the server runs it on every start. */
import { Migrator, type MigrationProvider } from 'kysely';
import type { BillingDb } from './db.js';
import { billingMigrations } from '../migrations/index.js';

const provider: MigrationProvider = { getMigrations: async () => billingMigrations };

export async function migrateBillingSchema(db: BillingDb): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider,
    // The bookkeeping tables live in the billing schema too: nothing of billing's leaks into `public`.
    migrationTableSchema: 'billing',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new Error('billing schema migration failed', { cause: error });
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
