import { SCOPES } from '../auth/scopes.js';
import { db } from '../shared/db.js';
import { httpRoute, json } from '../shared/http.js';
import type { DuplicateDecision } from './patient-duplicate.table.js';
import { decideDuplicate } from './patient-duplicates.service.js';
import * as operations from '../shared/operations.js';

interface DecisionRequest {
  patientIds: [string, string];
  decision: DuplicateDecision;
}

export const handler = httpRoute({ scopes: [SCOPES.patientsMerge], body: operations.decidePatientDuplicate }, async (_event, context) => {
  const { patientIds, decision } = context.body as DecisionRequest;
  const caller = { actor: context.actor.sub, requestId: context.requestId };
  const decided = await decideDuplicate(db(), caller, patientIds, decision);
  // A pair decided before answers 200 with the decision that stands.
  return json(decided.created ? 201 : 200, decided.decision);
});
