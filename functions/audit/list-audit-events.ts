import { SCOPES } from '../auth/scopes.js';
import { db } from '../shared/db.js';
import { httpRoute, json } from '../shared/http.js';
import { validateParameters } from '../shared/openapi.js';
import { listAuditEventsForPatient } from './audit.repository.js';
import * as operations from '../shared/operations.js';

export const handler = httpRoute({ scopes: [SCOPES.auditRead] }, async (event) => {
  const { query } = validateParameters(operations.listAuditEvents, event);
  const rows = await listAuditEventsForPatient(db(), query.patientId as string, (query.limit as number | undefined) ?? 100);
  return json(200, {
    events: rows.map((row) => ({
      id: String(row.id),
      occurredAt: row.occurred_at.toISOString(),
      actor: row.actor_sub,
      action: row.action,
      patientId: row.patient_id,
      outcome: row.outcome,
      requestId: row.request_id,
      ...(row.details ? { details: row.details } : {}),
    })),
  });
});
