import type { ColumnType, Generated } from 'kysely';
import type { Role } from './scopes.js';

export interface UserTable {
  id: Generated<string>;
  email: string;
  password_hash: string;
  role: Role;
  created_at: ColumnType<Date, never, never>;
  /** When the account was disabled; null while it may sign in. */
  disabled_at: ColumnType<Date | null, never, Date | null>;
}

export interface RefreshTokenTable {
  id: Generated<string>;
  token_hash: string;
  family_id: string;
  user_id: string;
  created_at: ColumnType<Date, never, never>;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
}

export interface LoginFailureTable {
  id: Generated<number>;
  subject: string;
  failed_at: ColumnType<Date, never, never>;
}
