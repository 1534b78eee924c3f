import { SCOPES } from '../auth/scopes.js';
import { kickOutboxRelay } from '../outbox/relay-trigger.js';
import { db } from '../shared/db.js';
import { httpRoute, json } from '../shared/http.js';
import { validateParameters } from '../shared/openapi.js';
import * as operations from '../shared/operations.js';
import { unmergePatients } from './patient-merge.service.js';

export const handler = httpRoute({ scopes: [SCOPES.patientsMerge] }, async (event, context) => {
  const { path } = validateParameters(operations.unmergePatients, event);
  const caller = { actor: context.actor.sub, requestId: context.requestId };
  const restored = await unmergePatients(db(), caller, (path.mergeId as string).toLowerCase());
  await kickOutboxRelay(context.log);
  return json(200, restored);
});
