import { SCOPES } from '../auth/scopes.js';
import { kickOutboxRelay } from '../outbox/relay-trigger.js';
import { db } from '../shared/db.js';
import { header, httpRoute, noContent } from '../shared/http.js';
import { validateParameters } from '../shared/openapi.js';
import { deletePatient } from './patients.service.js';
import * as operations from '../shared/operations.js';

export const handler = httpRoute({ scopes: [SCOPES.patientsWrite] }, async (event, context) => {
  const { path } = validateParameters(operations.deletePatient, event);
  const caller = { actor: context.actor.sub, requestId: context.requestId };
  await deletePatient(db(), caller, path.id as string, header(event, 'if-match'));
  await kickOutboxRelay(context.log);
  return noContent();
});
