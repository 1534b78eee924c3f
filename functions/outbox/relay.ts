import type { Context } from 'aws-lambda';
import { config } from '../shared/config.js';
import { db } from '../shared/db.js';
import { logger } from '../shared/logger.js';
import { deleteDeliveredBefore, withRelaySlot } from './outbox.repository.js';
import { relayUntilIdle } from './outbox-relay.js';
import { billingPublisher, duplicatesPublisher, kafkaPublisher } from './publishers.js';
import { KICK, KICK_INTERVAL_MS, type RelayEvent } from './relay-trigger.js';

const RETENTION_DAYS = 7;
/** Longer than the kick interval, so a write whose kick was skipped is still seen (relay-trigger.ts). */
const RELAY_LINGER_MS = KICK_INTERVAL_MS * 3;
const POLL_MS = 100;
/** A run that finds every slot taken waits this long for one to free up before leaving the work to the holders. */
const SLOT_WAIT_MS = 1_500;

/**
 * The outbox relay function: kicked asynchronously by patient changes (at most one kick per container
 * every KICK_INTERVAL_MS) and run every minute by its schedule (the sweep that catches anything left
 * behind). At most `OUTBOX_RELAY_CONCURRENCY` runs at once, enforced in the database (withRelaySlot) as well as by
 * the function's reserved concurrency. Sweeps also prune messages delivered more than a week ago.
 */
export const handler = async (event: RelayEvent | undefined, context?: Pick<Context, 'getRemainingTimeInMillis'>) => {
  // Leave room to commit the last batch (its calls have 2 s deadlines) before the function times out.
  const deadline = Date.now() + (context ? context.getRemainingTimeInMillis() - 15_000 : 30_000);
  const waitUntil = Date.now() + SLOT_WAIT_MS;
  for (;;) {
    const reports = await withRelaySlot(db(), config.outbox.maxConcurrentRuns, (connection) =>
      relayUntilIdle(connection, [kafkaPublisher, billingPublisher, duplicatesPublisher], logger, { deadline, lingerMs: RELAY_LINGER_MS, pollMs: POLL_MS }),
    );
    if (reports) {
      const trigger = event?.trigger === KICK.trigger ? 'kick' : 'sweep';
      const pruned = trigger === 'kick' ? 0 : await deleteDeliveredBefore(db(), RETENTION_DAYS);
      logger.info({ trigger, reports, pruned }, 'outbox relay run');
      return { reports, pruned };
    }
    if (Date.now() >= waitUntil) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  logger.debug('outbox relay: every run slot is taken; the running relays deliver');
  return { reports: [], pruned: 0, skipped: 'busy' as const };
};
