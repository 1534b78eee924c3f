import type { Context } from 'aws-lambda';
import { db } from '../shared/db.js';
import { logger } from '../shared/logger.js';
import { deleteDeliveredBefore } from './outbox.repository.js';
import { relayOutbox } from './outbox-relay.js';
import { billingPublisher, kafkaPublisher } from './publishers.js';
import { KICK, type RelayEvent } from './relay-trigger.js';

const RETENTION_DAYS = 7;

/**
 * The outbox relay function: invoked asynchronously after each patient change (a kick, for prompt
 * delivery) and every minute by its schedule (the sweep that catches anything left behind). Sweeps
 * also prune messages delivered more than a week ago; kicks, one per patient change, do not.
 */
export const handler = async (event: RelayEvent | undefined, context?: Pick<Context, 'getRemainingTimeInMillis'>) => {
  // Leave room to commit the last batch (its calls have 2 s deadlines) before the function times out.
  const deadline = context ? Date.now() + context.getRemainingTimeInMillis() - 15_000 : undefined;
  const reports = await relayOutbox(db(), [kafkaPublisher, billingPublisher], logger, { deadline });
  const pruned = event?.trigger === KICK.trigger ? 0 : await deleteDeliveredBefore(db(), RETENTION_DAYS);
  logger.info({ reports, pruned }, 'outbox relay run');
  return { reports, pruned };
};
