import { SCOPES } from '../auth/scopes.js';
import { db } from '../shared/db.js';
import { httpRoute } from '../shared/http.js';
import { validateParameters } from '../shared/openapi.js';
import { parseMessageId, retryParked } from './outbox.service.js';
import { kickOutboxRelay } from './relay-trigger.js';
import * as operations from '../shared/operations.js';

export const handler = httpRoute({ scopes: [SCOPES.outboxManage] }, async (event, context) => {
  const { path } = validateParameters(operations.retryOutboxMessage, event);
  const id = parseMessageId(path.id as string);
  await retryParked(db(), id);
  context.log.info({ event: 'outbox.replayed', outboxId: id }, 'parked outbox message put back in line');
  await kickOutboxRelay(context.log);
  return { statusCode: 202, headers: {} };
});
