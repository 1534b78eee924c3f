/**
 * PostgreSQL advisory locks take (space, key): each user of them has its own space, so a key chosen by
 * a caller (a login email) can never collide with a key of another kind (an outbox destination).
 */
export const ADVISORY_LOCK_SPACE = { login: 1, outbox: 2, relaySlots: 3 } as const;
