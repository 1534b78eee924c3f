import { SCOPES } from '../auth/scopes.js';
import { db } from '../shared/db.js';
import { httpRoute, json } from '../shared/http.js';
import { validateParameters } from '../shared/openapi.js';
import { listPatients } from './patients.service.js';
import * as operations from '../shared/operations.js';

export const DEFAULT_PAGE_SIZE = 50;

export const handler = httpRoute({ scopes: [SCOPES.patientsRead] }, async (event, context) => {
  const { query } = validateParameters(operations.listPatients, event);
  // HEAD reads no records, so it discloses none and leaves nothing in the audit trail.
  if (event.requestContext?.http?.method === 'HEAD') return { statusCode: 200, headers: { 'Content-Type': 'application/json' } };
  const caller = { actor: context.actor.sub, requestId: context.requestId };
  const page = await listPatients(db(), caller, {
    name: query.name as string | undefined,
    email: query.email as string | undefined,
    mrn: query.mrn as string | undefined,
    birthdate: query.birthdate as string | undefined,
    cursor: query.cursor as string | undefined,
    limit: (query.limit as number | undefined) ?? DEFAULT_PAGE_SIZE,
  });
  return json(200, page);
});
