import { SCOPES } from '../auth/scopes.js';
import { getPatient } from '../patients/patients.service.js';
import { db } from '../shared/db.js';
import { httpRoute, json } from '../shared/http.js';
import { validateParameters } from '../shared/openapi.js';
import { patientBilling } from './patient-billing.service.js';
import * as operations from '../shared/operations.js';

export const handler = httpRoute({ scopes: [SCOPES.patientsRead] }, async (event, context) => {
  const { path } = validateParameters(operations.getPatientBilling, event);
  const caller = { actor: context.actor.sub, requestId: context.requestId };
  // Reading the patient first gives 404 for unknown or deleted patients and records the access.
  await getPatient(db(), caller, path.id as string, 'read_billing');
  return json(200, await patientBilling(path.id as string));
});
