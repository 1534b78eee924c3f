import { SCOPES } from '../auth/scopes.js';
import { getPatient } from '../patients/patients.service.js';
import { db } from '../shared/db.js';
import { validationFailed } from '../shared/errors.js';
import { header, httpRoute, json, type HttpEvent } from '../shared/http.js';
import { validateAgainst, validateParameters } from '../shared/openapi.js';
import { chargePatient } from './patient-billing.service.js';

function idempotencyKey(event: HttpEvent): string {
  const key = header(event, 'idempotency-key');
  const errors = key === undefined
    ? [{ field: 'header.Idempotency-Key', message: 'is required' }]
    : validateAgainst('IdempotencyKey', key, 'header.Idempotency-Key');
  if (errors.length > 0) throw validationFailed(errors);
  return key as string;
}

export const handler = httpRoute({ scopes: [SCOPES.patientsWrite], body: 'InvoiceCreate' }, async (event, context) => {
  const { path } = validateParameters('/api/patients/{id}/invoices', 'post', event);
  const key = idempotencyKey(event);
  const caller = { actor: context.actor.sub, requestId: context.requestId };
  // As the billing view does: 404 for unknown or deleted patients, and the access is in the audit trail.
  await getPatient(db(), caller, path.id as string, 'read_billing');
  const body = context.body as { amount: string; currency: string; description: string };
  const invoice = await chargePatient(path.id as string, { ...body, idempotencyKey: key });
  context.log.info({ invoiceId: invoice.id, patientId: path.id }, 'invoice issued');
  return json(201, invoice);
});
