import { type Kysely } from 'kysely';

// A disabled staff account cannot sign in or refresh; the timestamp says since when (null: enabled).
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations describe the schema as it was then
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('disabled_at', 'timestamptz').execute();
  // Revoking every refresh token of a user (on disable) finds them by user.
  await db.schema.createIndex('refresh_tokens_user_idx').on('refresh_tokens').column('user_id').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('refresh_tokens_user_idx').execute();
  await db.schema.alterTable('users').dropColumn('disabled_at').execute();
}
