/**
 * `POST /fhir/R4/Patient/$match` (FHIR R4's Patient match operation): a Parameters resource with `resource` (a
 * Patient, which may be partial: what a registration desk has), `onlyCertainMatches` and `count`; the answer is a
 * searchset Bundle, best first, each entry with `search.score` and the `match-grade` extension, and our extension
 * saying what each field contributed.
 */
import { config } from '../shared/config.js';
import { db } from '../shared/db.js';
import type { PatientInput } from '../patients/patient.table.js';
import * as patients from '../patients/patient-match.service.js';
import type { FhirRequest, FhirResponse } from './fhir-request.js';
import { FhirError, issueAt, type Issue } from './operation-outcome.js';
import { toFhirPatient } from './patient-mapping.js';

export const MATCH_GRADE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/match-grade';
export const MATCH_CONTRIBUTION_EXTENSION = 'https://patient-management.dev/fhir/StructureDefinition/match-contribution';
const MAX_COUNT = 50;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' && value.length <= 500 ? value : undefined);

/** The Parameters of the operation: the Patient and the two options. */
function readParameters(body: unknown): { resource: Json; onlyCertain: boolean; count: number } {
  const invalid = (diagnostics: string, expression = 'Parameters') => new FhirError(400, [issueAt(expression, 'invalid', diagnostics)]);
  if (!isObject(body) || body.resourceType !== 'Parameters' || !Array.isArray(body.parameter)) throw invalid('$match takes a Parameters resource with a parameter list.');
  let resource: Json | undefined;
  let onlyCertain = false;
  let count = 10;
  for (const [index, parameter] of body.parameter.entries()) {
    const at = `Parameters.parameter[${index}]`;
    if (!isObject(parameter)) throw invalid('A parameter must be an object.', at);
    if (parameter.name === 'resource' && isObject(parameter.resource)) resource = parameter.resource;
    else if (parameter.name === 'onlyCertainMatches' && typeof parameter.valueBoolean === 'boolean') onlyCertain = parameter.valueBoolean;
    else if (parameter.name === 'count' && Number.isInteger(parameter.valueInteger) && (parameter.valueInteger as number) > 0) count = Math.min(parameter.valueInteger as number, MAX_COUNT);
    else throw invalid(`Parameter ${JSON.stringify(String(parameter.name)).slice(0, 60)} is not one of resource (a Patient), onlyCertainMatches (valueBoolean) or count (a positive valueInteger).`, at);
  }
  if (!resource || resource.resourceType !== 'Patient') throw invalid('The parameter resource must hold a Patient.');
  return { resource, onlyCertain, count };
}

/** What the Patient says about the person, read leniently (a registration may know little); a birth date is needed. */
function probeOf(patient: Json): PatientInput {
  const issues: Issue[] = [];
  const name = Array.isArray(patient.name) && isObject(patient.name[0]) ? patient.name[0] : {};
  const given = Array.isArray(name.given) ? name.given.flatMap((value) => text(value) ?? []).slice(0, 5) : [];
  const family = text(name.family) ?? null;
  const telecom = Array.isArray(patient.telecom) ? patient.telecom.filter(isObject) : [];
  const birthDate = typeof patient.birthDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(patient.birthDate) ? patient.birthDate : undefined;
  if (!birthDate) issues.push(issueAt('Patient.birthDate', 'required', 'Matching needs the full birth date (YYYY-MM-DD).'));
  const gender = ['male', 'female', 'other', 'unknown'].includes(patient.gender as string) ? (patient.gender as PatientInput['gender']) : null;
  const identifiers = (Array.isArray(patient.identifier) ? patient.identifier.filter(isObject) : [])
    .flatMap((identifier) => (text(identifier.value) ? [{ system: text(identifier.system), value: identifier.value as string }] : []))
    .slice(0, 20);
  const address = Array.isArray(patient.address) && isObject(patient.address[0]) ? patient.address[0] : {};
  const addressText = text(address.text) ?? [...(Array.isArray(address.line) ? address.line : []), address.city, address.postalCode].flatMap((part) => text(part) ?? []).join(', ');
  if (issues.length > 0) throw new FhirError(422, issues);
  return {
    name: text(name.text) ?? [...given, family].filter(Boolean).join(' '),
    familyName: family,
    givenNames: given,
    gender,
    phone: text(telecom.find((point) => point.system === 'phone')?.value) ?? null,
    email: text(telecom.find((point) => point.system === 'email')?.value) ?? '',
    address: addressText,
    dateOfBirth: birthDate!,
    identifiers,
  };
}

export async function matchPatients(request: FhirRequest): Promise<FhirResponse> {
  if (!request.caller) throw new Error('$match without a verified caller');
  const { resource, onlyCertain, count } = readParameters(request.body);
  const matches = await patients.matchPatients(db(), request.caller, probeOf(resource), { count, onlyCertain });
  return {
    status: 200,
    body: {
      resourceType: 'Bundle',
      type: 'searchset',
      total: matches.length,
      ...(matches.length > 0
        ? {
            entry: matches.map((match) => ({
              fullUrl: `${request.baseUrl}/Patient/${match.patient.id}`,
              resource: toFhirPatient(match.patient, { mrnSystem: config.patients.mrnSystem }),
              search: {
                extension: [
                  { url: MATCH_GRADE_EXTENSION, valueCode: match.grade },
                  ...match.contributions.map((contribution) => ({
                    url: MATCH_CONTRIBUTION_EXTENSION,
                    valueString: `${contribution.field}: ${contribution.agreement} (${contribution.weight > 0 ? '+' : ''}${contribution.weight})`,
                  })),
                ],
                mode: 'match',
                score: match.score,
              },
            })),
          }
        : {}),
    },
  };
}
