/**
 * What an admin sees of the outbox and does with it: messages by state (never their payload, which
 * may hold patient data), and the replay of a parked message once its cause is fixed.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../shared/db.schema.js';
import { conflict, notFound, validationFailed } from '../shared/errors.js';
import * as repo from './outbox.repository.js';

export interface OutboxMessageView {
  id: string;
  destination: string;
  eventId: string;
  patientId: string;
  state: repo.OutboxState;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  nextAttemptAt: string | null;
  publishedAt: string | null;
}

type MessageRow = Awaited<ReturnType<typeof repo.messagesInState>>[number];

function toView(row: MessageRow): OutboxMessageView {
  // pg reads the timestamp 'infinity' (a parked message) as the number Infinity, not as a Date.
  const next: Date | number = row.next_attempt_at;
  const parked = row.published_at === null && !(next instanceof Date && Number.isFinite(next.getTime()));
  return {
    id: String(row.id),
    destination: row.destination,
    eventId: row.event_id,
    patientId: row.aggregate_id,
    state: row.published_at ? 'delivered' : parked ? 'parked' : 'pending',
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    nextAttemptAt: row.published_at || parked || !(next instanceof Date) ? null : next.toISOString(),
    publishedAt: row.published_at?.toISOString() ?? null,
  };
}

export function parseMessageId(raw: string | undefined): number {
  if (!raw || !/^[1-9]\d{0,14}$/.test(raw)) throw validationFailed([{ field: 'path.id', message: 'must be an outbox message id' }]);
  return Number(raw);
}

export async function listMessages(db: Kysely<Database>, state: repo.OutboxState, limit: number, after?: string) {
  const rows = await repo.messagesInState(db, state, limit + 1, after ? parseMessageId(after) : 0);
  const page = rows.slice(0, limit);
  return { messages: page.map(toView), nextCursor: rows.length > limit ? String(page.at(-1)!.id) : null };
}

/** Puts a parked message back in line; 404 when it does not exist, 409 when it is not parked. */
export async function retryParked(db: Kysely<Database>, id: number): Promise<void> {
  if (await repo.unpark(db, id)) return;
  const existing = await repo.findMessage(db, id);
  if (!existing) throw notFound('No outbox message with this id.');
  throw conflict('not-parked', existing.published_at ? 'The message was already delivered.' : 'The message is not parked; the relay is still retrying it.');
}
