import { SCOPES } from '../auth/scopes.js';
import { db } from '../shared/db.js';
import { httpRoute, json } from '../shared/http.js';
import * as operations from '../shared/operations.js';
import type { PatientInput } from './patient.table.js';
import { matchPatients } from './patient-match.service.js';

interface MatchRequest {
  patient: Partial<PatientInput> & { dateOfBirth: string };
  excludeId?: string;
  count?: number;
  onlyCertain?: boolean;
}

export const handler = httpRoute({ scopes: [SCOPES.patientsRead], body: operations.matchPatients }, async (_event, context) => {
  const { patient, excludeId, count = 10, onlyCertain = false } = context.body as MatchRequest;
  const caller = { actor: context.actor.sub, requestId: context.requestId };
  const probe: PatientInput = {
    ...patient,
    name: patient.name ?? [...(patient.givenNames ?? []), patient.familyName].filter(Boolean).join(' '),
    email: patient.email ?? '',
    address: patient.address ?? '',
  };
  const matches = await matchPatients(db(), caller, probe, { count, onlyCertain, excludeId });
  return json(200, { matches });
});
