/**
 * The billing schema's migrations, listed statically (not read from the folder at runtime) so the server
 * still finds them when it is bundled into one file for its container. Add new ones at the end.
 */
import type { Migration } from 'kysely';
import * as createAccounts from './001_create_accounts.js';
import * as createInvoices from './002_create_invoices.js';
import * as accountMerges from './003_account_merges.js';

export const billingMigrations: Record<string, Migration> = {
  '001_create_accounts': createAccounts,
  '002_create_invoices': createInvoices,
  '003_account_merges': accountMerges,
};
