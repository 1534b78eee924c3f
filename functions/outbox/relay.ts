import { db } from '../shared/db.js';
import { logger } from '../shared/logger.js';
import { relayOutbox } from './outbox-relay.js';
import { billingPublisher, kafkaPublisher } from './publishers.js';

/**
 * The outbox relay function: invoked asynchronously after each patient change (prompt delivery)
 * and every minute by its schedule (the sweep that catches anything left behind).
 */
export const handler = async () => {
  const reports = await relayOutbox(db(), [kafkaPublisher, billingPublisher], logger);
  logger.info({ reports }, 'outbox relay run');
  return { reports };
};
