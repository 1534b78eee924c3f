import { SCOPES } from '../auth/scopes.js';
import { db } from '../shared/db.js';
import { httpRoute, json } from '../shared/http.js';
import type { PatientInput } from './patient.table.js';
import { createPatient } from './patients.service.js';
import { kickOutboxRelay } from '../outbox/relay-trigger.js';
import * as operations from '../shared/operations.js';

export const handler = httpRoute({ scopes: [SCOPES.patientsWrite], body: operations.createPatient }, async (_event, context) => {
  const caller = { actor: context.actor.sub, requestId: context.requestId };
  const { patient, etag } = await createPatient(db(), caller, context.body as Required<PatientInput>);
  await kickOutboxRelay(context.log);
  return json(201, patient, { Location: `/api/patients/${patient.id}`, ETag: etag });
});
