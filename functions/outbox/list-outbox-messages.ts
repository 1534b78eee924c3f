import { SCOPES } from '../auth/scopes.js';
import { db } from '../shared/db.js';
import { httpRoute, json } from '../shared/http.js';
import { validateParameters } from '../shared/openapi.js';
import type { OutboxState } from './outbox.repository.js';
import { listMessages } from './outbox.service.js';
import * as operations from '../shared/operations.js';

export const handler = httpRoute({ scopes: [SCOPES.outboxManage] }, async (event) => {
  const { query } = validateParameters(operations.listOutboxMessages, event);
  const state = (query.state as OutboxState | undefined) ?? 'parked';
  return json(200, await listMessages(db(), state, (query.limit as number | undefined) ?? 50, query.cursor as string | undefined));
});
