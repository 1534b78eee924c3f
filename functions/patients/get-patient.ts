import { SCOPES } from '../auth/scopes.js';
import { db } from '../shared/db.js';
import { httpRoute, json } from '../shared/http.js';
import { validateParameters } from '../shared/openapi.js';
import { getPatient } from './patients.service.js';
import * as operations from '../shared/operations.js';

export const handler = httpRoute({ scopes: [SCOPES.patientsRead] }, async (event, context) => {
  const { path } = validateParameters(operations.getPatient, event);
  const caller = { actor: context.actor.sub, requestId: context.requestId };
  const { patient, etag } = await getPatient(db(), caller, path.id as string);
  return json(200, patient, { ETag: etag });
});
