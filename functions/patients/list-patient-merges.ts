import { SCOPES } from '../auth/scopes.js';
import { db } from '../shared/db.js';
import { httpRoute, json } from '../shared/http.js';
import { validateParameters } from '../shared/openapi.js';
import * as operations from '../shared/operations.js';
import { listMerges } from './patient-merge.service.js';

export const handler = httpRoute({ scopes: [SCOPES.patientsMerge] }, async (event, context) => {
  const { path } = validateParameters(operations.listPatientMerges, event);
  const caller = { actor: context.actor.sub, requestId: context.requestId };
  return json(200, { merges: await listMerges(db(), caller, path.id as string) });
});
