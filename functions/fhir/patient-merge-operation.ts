/**
 * `POST /fhir/R4/Patient/$merge`, the Patient merge operation as HAPI FHIR and Medplum serve it on R4 (FHIR R5
 * defines it): Parameters with `source-patient` / `target-patient` (references, `Patient/{id}` or
 * `Patient/{id}/_history/{vid}` to merge only that version) or `source-patient-identifier` /
 * `target-patient-identifier`, optional `result-patient` (the target as it should read after the merge) and
 * `preview`. The answer is Parameters: `input`, `outcome` (an OperationOutcome) and `result` (the target Patient).
 * The rules are the patient service's (functions/patients/patient-merge.service.ts); our API offers the same.
 */
import type { Identifier as FhirIdentifier, Parameters, ParametersParameter } from 'fhir/r4.js';
import { config } from '../shared/config.js';
import { db } from '../shared/db.js';
import { mergePatients, type MergeRequest } from '../patients/patient-merge.service.js';
import { findLiveByIdentifier } from '../patients/patients.repository.js';
import type { FhirRequest, FhirResponse } from './fhir-request.js';
import { FhirError, issueAt, operationOutcome } from './operation-outcome.js';
import { fromFhirPatient, toFhirPatient } from './patient-mapping.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const invalid = (diagnostics: string, expression = 'Parameters') => new FhirError(400, [issueAt(expression, 'invalid', diagnostics)]);

const NAMES = ['source-patient', 'source-patient-identifier', 'target-patient', 'target-patient-identifier', 'result-patient', 'preview'] as const;
type Name = (typeof NAMES)[number];

/** Each parameter at most once, with the value type the operation defines for it. */
function readParameters(body: unknown): Partial<Record<Name, unknown>> {
  if (!isObject(body) || body.resourceType !== 'Parameters' || !Array.isArray(body.parameter)) throw invalid('$merge takes a Parameters resource with a parameter list.');
  const found: Partial<Record<Name, unknown>> = {};
  for (const [index, parameter] of body.parameter.entries()) {
    const at = `Parameters.parameter[${index}]`;
    if (!isObject(parameter)) throw invalid('A parameter must be an object.', at);
    const name = parameter.name as Name;
    if (!NAMES.includes(name)) throw invalid(`Parameter ${JSON.stringify(String(parameter.name)).slice(0, 60)} is not one of ${NAMES.join(', ')}.`, at);
    if (found[name] !== undefined) throw invalid(`Parameter ${name} is given twice.`, at);
    const value = name === 'result-patient' ? parameter.resource : name === 'preview' ? parameter.valueBoolean : name.endsWith('-identifier') ? parameter.valueIdentifier : parameter.valueReference;
    const expected = name === 'result-patient' ? 'resource (a Patient)' : name === 'preview' ? 'valueBoolean' : name.endsWith('-identifier') ? 'valueIdentifier' : 'valueReference';
    if (value === undefined || (name === 'preview' ? typeof value !== 'boolean' : !isObject(value))) throw invalid(`Parameter ${name} needs ${expected}.`, at);
    found[name] = value;
  }
  return found;
}

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** A patient named by reference (optionally at a version) or by identifier; 422 when no live patient has it. */
async function resolve(side: 'source' | 'target', parameters: Partial<Record<Name, unknown>>): Promise<{ id: string; version?: number }> {
  const reference = parameters[`${side}-patient`] as Json | undefined;
  const identifier = parameters[`${side}-patient-identifier`] as FhirIdentifier | undefined;
  if (reference && identifier) throw invalid(`Give ${side}-patient or ${side}-patient-identifier, not both.`);
  if (reference) {
    const match = typeof reference.reference === 'string' ? new RegExp(`^(?:.*/)?Patient/(${UUID})(?:/_history/([1-9]\\d{0,8}))?$`).exec(reference.reference) : null;
    if (!match?.[1]) throw new FhirError(422, [issueAt(`${side}-patient`, 'not-found', `${side}-patient must reference a Patient of this server (Patient/{id}).`)]);
    return { id: match[1].toLowerCase(), ...(match[2] ? { version: Number(match[2]) } : {}) };
  }
  if (identifier) {
    if (typeof identifier.value !== 'string' || identifier.value === '' || (identifier.system !== undefined && typeof identifier.system !== 'string')) {
      throw invalid(`${side}-patient-identifier needs a value (and may have a system).`);
    }
    const ids = await findLiveByIdentifier(db(), identifier.system, identifier.value);
    if (ids.length === 0) throw new FhirError(422, [issueAt(`${side}-patient-identifier`, 'not-found', `No live patient has the ${side}-patient-identifier.`)]);
    if (ids.length > 1) throw new FhirError(422, [issueAt(`${side}-patient-identifier`, 'multiple-matches', `The ${side}-patient-identifier (without a system) matches several patients; give its system.`)]);
    return { id: ids[0]! };
  }
  throw new FhirError(400, [issueAt('Parameters', 'required', `$merge needs ${side}-patient or ${side}-patient-identifier.`)]);
}

/** The result-patient as our input: the target's id, and a valid Patient (its MRN, if restated, is checked by the service). */
function resultOf(resource: unknown, targetId: string): Pick<MergeRequest, 'result' | 'resultMrn'> {
  if (resource === undefined) return {};
  const mapped = fromFhirPatient(resource, { mrnSystem: config.patients.mrnSystem });
  if ('issues' in mapped) throw new FhirError(422, mapped.issues.map((issue) => ({ ...issue, expression: issue.expression?.map((at) => `result-patient.${at}`) })));
  if (mapped.id !== undefined && mapped.id.toLowerCase() !== targetId) throw new FhirError(422, [issueAt('result-patient.id', 'invalid', "result-patient's id must be the target's.")]);
  return { result: mapped.input, ...(mapped.mrn !== undefined ? { resultMrn: mapped.mrn } : {}) };
}

export async function mergePatientsOperation(request: FhirRequest): Promise<FhirResponse> {
  if (!request.caller) throw new Error('$merge without a verified caller');
  const parameters = readParameters(request.body);
  const [source, target] = [await resolve('source', parameters), await resolve('target', parameters)];
  const preview = parameters.preview === true;
  const outcome = await mergePatients(db(), request.caller, {
    sourceId: source.id,
    targetId: target.id,
    ...(source.version !== undefined ? { sourceVersion: source.version } : {}),
    ...(target.version !== undefined ? { targetVersion: target.version } : {}),
    ...resultOf(parameters['result-patient'], target.id),
    preview,
  });
  const taken = Object.entries(outcome.fields).filter(([, origin]) => origin === 'source').map(([field]) => field);
  const message = preview
    ? `Preview only: nothing was changed. Merging Patient/${source.id} into Patient/${target.id} would give the result.`
    : `Patient/${source.id} was merged into Patient/${target.id} (merge ${outcome.mergeId}).`;
  const parameter: ParametersParameter[] = [
    { name: 'input', resource: request.body as Parameters },
    { name: 'outcome', resource: operationOutcome([{ severity: 'information', code: 'informational', diagnostics: `${message}${taken.length > 0 ? ` Taken from the source: ${taken.join(', ')}.` : ''}` }]) },
    { name: 'result', resource: toFhirPatient(outcome.result, { mrnSystem: config.patients.mrnSystem }) },
  ];
  return { status: 200, body: { resourceType: 'Parameters', parameter } satisfies Parameters };
}
