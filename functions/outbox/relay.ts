import type { Context } from 'aws-lambda';
import { db } from '../shared/db.js';
import { logger } from '../shared/logger.js';
import { deleteDeliveredBefore } from './outbox.repository.js';
import { relayOutbox } from './outbox-relay.js';
import { billingPublisher, kafkaPublisher } from './publishers.js';

const RETENTION_DAYS = 7;

/**
 * The outbox relay function: invoked asynchronously after each patient change (prompt delivery)
 * and every minute by its schedule (the sweep that catches anything left behind). Each run also
 * prunes messages delivered more than a week ago.
 */
export const handler = async (_event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>) => {
  // Leave room to commit the last batch (its calls have 2 s deadlines) before the function times out.
  const deadline = context ? Date.now() + context.getRemainingTimeInMillis() - 15_000 : undefined;
  const reports = await relayOutbox(db(), [kafkaPublisher, billingPublisher], logger, { deadline });
  const pruned = await deleteDeliveredBefore(db(), RETENTION_DAYS);
  logger.info({ reports, pruned }, 'outbox relay run');
  return { reports, pruned };
};
