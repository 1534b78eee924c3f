import { SCOPES } from '../auth/scopes.js';
import { kickOutboxRelay } from '../outbox/relay-trigger.js';
import { db } from '../shared/db.js';
import { httpRoute, json } from '../shared/http.js';
import * as operations from '../shared/operations.js';
import type { PatientInput } from './patient.table.js';
import { mergePatients } from './patient-merge.service.js';

interface MergeBody {
  sourceId: string;
  targetId: string;
  sourceVersion?: number;
  targetVersion?: number;
  result?: PatientInput;
  preview?: boolean;
}

export const handler = httpRoute({ scopes: [SCOPES.patientsMerge], body: operations.mergePatients }, async (_event, context) => {
  const body = context.body as MergeBody;
  const caller = { actor: context.actor.sub, requestId: context.requestId };
  const outcome = await mergePatients(db(), caller, { ...body, sourceId: body.sourceId.toLowerCase(), targetId: body.targetId.toLowerCase(), preview: body.preview ?? false });
  if (!outcome.preview) await kickOutboxRelay(context.log);
  return json(200, outcome);
});
