import { SCOPES } from '../auth/scopes.js';
import { kickOutboxRelay } from '../outbox/relay-trigger.js';
import { db } from '../shared/db.js';
import { header, httpRoute, json } from '../shared/http.js';
import { validateParameters } from '../shared/openapi.js';
import type { PatientInput } from './patient.table.js';
import { updatePatient } from './patients.service.js';
import * as operations from '../shared/operations.js';

export const handler = httpRoute({ scopes: [SCOPES.patientsWrite], body: operations.updatePatient }, async (event, context) => {
  const { path } = validateParameters(operations.updatePatient, event);
  const caller = { actor: context.actor.sub, requestId: context.requestId };
  // registeredDate is accepted for symmetry with create but never changed by an update; the other fields all
  // pass (one not sent keeps its value: the service decides).
  const input: PatientInput = { ...(context.body as PatientInput), registeredDate: undefined };
  const { patient, etag } = await updatePatient(db(), caller, path.id as string, input, header(event, 'if-match'));
  await kickOutboxRelay(context.log);
  return json(200, patient, { ETag: etag });
});
