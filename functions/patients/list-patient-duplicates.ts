import { SCOPES } from '../auth/scopes.js';
import { db } from '../shared/db.js';
import { httpRoute, json } from '../shared/http.js';
import { validateParameters } from '../shared/openapi.js';
import { listDuplicates } from './patient-duplicates.service.js';
import * as operations from '../shared/operations.js';

export const DEFAULT_PAGE_SIZE = 20;

export const handler = httpRoute({ scopes: [SCOPES.patientsMerge] }, async (event, context) => {
  const { query } = validateParameters(operations.listPatientDuplicates, event);
  const caller = { actor: context.actor.sub, requestId: context.requestId };
  const page = await listDuplicates(db(), caller, {
    cursor: query.cursor as string | undefined,
    limit: (query.limit as number | undefined) ?? DEFAULT_PAGE_SIZE,
  });
  return json(200, page);
});
