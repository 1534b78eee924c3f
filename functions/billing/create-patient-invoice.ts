import { SCOPES } from '../auth/scopes.js';
import { getPatient } from '../patients/patients.service.js';
import { db } from '../shared/db.js';
import { validationFailed } from '../shared/errors.js';
import { header, httpRoute, json, type HttpEvent } from '../shared/http.js';
import { validateParameters } from '../shared/openapi.js';
import * as schemas from '../shared/schemas.js';
import { chargePatient } from './patient-billing.service.js';
import * as operations from '../shared/operations.js';

// The generated validators cover bodies, paths and queries; this header is checked against its openapi.yaml schema here.
const keySchema = schemas.IdempotencyKey;
const keyPattern = new RegExp(keySchema.pattern, 'u');

function idempotencyKey(event: HttpEvent): string {
  const key = header(event, 'idempotency-key');
  const field = 'header.Idempotency-Key';
  if (key === undefined) throw validationFailed([{ field, message: 'is required' }]);
  if (key.length < keySchema.minLength || key.length > keySchema.maxLength || !keyPattern.test(key)) {
    throw validationFailed([{ field, message: `is not valid: ${keySchema.description}` }]);
  }
  return key;
}

export const handler = httpRoute({ scopes: [SCOPES.patientsWrite], body: operations.createInvoice }, async (event, context) => {
  const { path } = validateParameters(operations.createInvoice, event);
  const key = idempotencyKey(event);
  const caller = { actor: context.actor.sub, requestId: context.requestId };
  // As the billing view does: 404 for unknown or deleted patients, and the access is in the audit trail.
  await getPatient(db(), caller, path.id as string, 'read_billing');
  const body = context.body as { amount: string; currency: string; description: string };
  const invoice = await chargePatient(path.id as string, { ...body, idempotencyKey: key });
  context.log.info({ invoiceId: invoice.id, patientId: path.id }, 'invoice issued');
  return json(201, invoice);
});
