/**
 * The FHIR Patient interactions: each turns a FhirRequest into one call of the patient service
 * (functions/patients/, the one place with the rules and the SQL) and answers FHIR. A FHIR create opens a
 * billing account and emits the same events as our API's; every read is audited the same way.
 */
import { config } from '../shared/config.js';
import { db } from '../shared/db.js';
import type { Patient } from '../patients/patient.table.js';
import * as patients from '../patients/patients.service.js';
import { searchPatients } from './patient-search.js';
import { FhirError } from './operation-outcome.js';
import { fromFhirPatient, toFhirPatient } from './patient-mapping.js';
import type { FhirRequest, FhirResponse } from './fhir-request.js';
import { parsePatientSearch } from './search-params.js';
import { readSubset, subsetted } from './subsetting.js';
import { historyPosition, parseHistoryQuery, serializeHistoryQuery, type HistoryQuery } from './history-params.js';

const settings = () => ({ mrnSystem: config.patients.mrnSystem });

export const fhirPatient = (patient: Patient) => toFhirPatient(patient, settings());

/** The headers every answer with one version of a patient carries. */
export function versionHeaders(patient: Pick<Patient, 'version' | 'updatedAt'>): Record<string, string> {
  return { ETag: `W/"${patient.version}"`, 'Last-Modified': new Date(patient.updatedAt).toUTCString() };
}

const caller = (request: FhirRequest) => {
  if (!request.caller) throw new Error('FHIR interaction without a verified caller');
  return request.caller;
};

/** FHIR ids are `[A-Za-z0-9\-.]{1,64}`; ours are UUIDs, so any other id names no patient. */
function patientId(request: FhirRequest): string {
  const id = request.params.id ?? '';
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new FhirError(404, [{ severity: 'error', code: 'not-found', diagnostics: `Patient/${id} is not known.` }]);
  return id.toLowerCase();
}

/**
 * Conditional read: the client's copy is current when `If-None-Match` names this version (weak or strong, or `*`)
 * or, without it, when `If-Modified-Since` is not before the last change (HTTP dates count whole seconds).
 */
function unchangedForClient(request: FhirRequest, patient: Pick<Patient, 'version' | 'updatedAt'>): boolean {
  const tags = request.header('if-none-match');
  if (tags !== undefined) return tags.split(',').some((tag) => ['*', `W/"${patient.version}"`, `"${patient.version}"`].includes(tag.trim()));
  const since = Date.parse(request.header('if-modified-since') ?? '');
  return Number.isFinite(since) && Math.floor(new Date(patient.updatedAt).getTime() / 1000) * 1000 <= since;
}

/**
 * Read, and conditional read: 304 without a body when the client's copy is current (still audited as a read).
 * `_summary=true` and `_elements` give part of the record, tagged SUBSETTED.
 */
export async function read(request: FhirRequest): Promise<FhirResponse> {
  const subset = readSubset(request.query, isLenient(request));
  const { patient } = await patients.getPatient(db(), caller(request), patientId(request));
  if (unchangedForClient(request, patient)) return { status: 304, headers: versionHeaders(patient) };
  return { status: 200, body: subsetted(fhirPatient(patient), subset), headers: versionHeaders(patient) };
}

export async function vread(request: FhirRequest): Promise<FhirResponse> {
  const vid = request.params.vid ?? '';
  const id = patientId(request);
  if (!/^[1-9]\d{0,8}$/.test(vid)) throw new FhirError(404, [{ severity: 'error', code: 'not-found', diagnostics: `Patient/${id} has no version ${vid}.` }]);
  const version = await patients.getPatientVersion(db(), caller(request), id, Number(vid));
  if (version.deleted) throw new FhirError(410, [{ severity: 'error', code: 'deleted', diagnostics: `Version ${vid} of Patient/${id} is its deletion.` }], versionHeaders(version.patient));
  return { status: 200, body: fhirPatient(version.patient), headers: versionHeaders(version.patient) };
}

/** One version in a history Bundle: the record as it was (none for a deletion), and the request that made it. */
function historyEntry(url: string, id: string, { patient, action, deleted }: patients.PatientVersion) {
  return {
    fullUrl: url,
    ...(deleted ? {} : { resource: fhirPatient(patient) }),
    request: deleted ? { method: 'DELETE', url: `Patient/${id}` } : action === 'create' ? { method: 'POST', url: 'Patient' } : { method: 'PUT', url: `Patient/${id}` },
    response: {
      status: deleted ? '204' : action === 'create' ? '201' : '200',
      etag: `W/"${patient.version}"`,
      lastModified: patient.updatedAt,
    },
  };
}

/** A page of a patient's versions, newest first, as a history Bundle; later pages only through its next link. */
export async function historyInstance(request: FhirRequest): Promise<FhirResponse> {
  const id = patientId(request);
  const history = parseHistoryQuery(request.query, isLenient(request));
  const page = await patients.getPatientHistory(db(), caller(request), id, historyPosition(history), history.count);
  const url = `${request.baseUrl}/Patient/${id}`;
  const pageUrl = (query: HistoryQuery) => `${url}/_history?${new URLSearchParams(serializeHistoryQuery(query)).toString()}`;
  const next = page.nextBefore === null ? [] : [{ relation: 'next', url: pageUrl({ ...history, beforeVersion: page.nextBefore }) }];
  const entry = page.versions.map((version) => historyEntry(url, id, version));
  return {
    status: 200,
    body: {
      resourceType: 'Bundle',
      type: 'history',
      total: page.total,
      link: [{ relation: 'self', url: pageUrl(history) }, ...next],
      // FHIR JSON has no empty arrays: a page without versions has no entry.
      ...(entry.length === 0 ? {} : { entry }),
    },
  };
}

/** `Prefer: handling=lenient`: parameters this server does not know are ignored rather than refused. */
const isLenient = (request: FhirRequest) => /(^|[;,\s])handling=lenient\b/.test(request.header('prefer') ?? '');

export async function searchType(request: FhirRequest): Promise<FhirResponse> {
  const lenient = isLenient(request);
  const search = parsePatientSearch(request.query, lenient);
  const { bundle } = await searchPatients(db(), caller(request), search, request.baseUrl);
  return { status: 200, body: bundle };
}

/** What `Prefer: return=…` asks a create or update to answer with (FHIR's default is the resource). */
function preferredReturn(request: FhirRequest, response: FhirResponse, outcome: string): FhirResponse {
  const wanted = /(?:^|[;,\s])return=(minimal|representation|OperationOutcome)\b/.exec(request.header('prefer') ?? '')?.[1];
  if (wanted === 'minimal') return { status: response.status, headers: response.headers };
  if (wanted === 'OperationOutcome') {
    return { ...response, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics: outcome }] } };
  }
  return response;
}

/** The patient a create sends, as our input: without an MRN, which this server assigns. */
function newPatientInput(request: FhirRequest) {
  const mapped = fromFhirPatient(request.body, settings());
  if ('issues' in mapped) throw new FhirError(422, mapped.issues);
  if (mapped.mrn !== undefined) {
    throw new FhirError(422, [{ severity: 'error', code: 'business-rule', diagnostics: 'The MRN is assigned by this server; leave it out of a new patient.', expression: ['Patient.identifier'] }]);
  }
  if (mapped.merges) {
    throw new FhirError(422, [{ severity: 'error', code: 'business-rule', diagnostics: "Former MRNs (use 'old') and links are set by $merge; leave them out of a new patient.", expression: ['Patient.identifier', 'Patient.link'] }]);
  }
  return mapped.input;
}

export async function create(request: FhirRequest): Promise<FhirResponse> {
  const body = request.body as { id?: unknown } | undefined;
  if (body && body.id !== undefined) {
    throw new FhirError(400, [{ severity: 'error', code: 'invalid', diagnostics: 'A new patient must not carry an id: the server assigns it.', expression: ['Patient.id'] }]);
  }
  const input = newPatientInput(request);
  const condition = request.header('if-none-exist');
  if (condition !== undefined) {
    const existing = await conditionalMatches(request, condition);
    if (existing.length > 1) throw new FhirError(412, [{ severity: 'error', code: 'multiple-matches', diagnostics: `If-None-Exist matches ${existing.length} patients.` }]);
    if (existing[0]) return preferredReturn(request, { status: 200, body: fhirPatient(existing[0]), headers: versionHeaders(existing[0]) }, 'A patient matching If-None-Exist exists; nothing was created.');
  }
  const registeredDate = input.registeredDate ?? new Date().toISOString().slice(0, 10);
  const { patient } = await patients.createPatient(db(), caller(request), { ...input, registeredDate });
  const location = `${request.baseUrl}/Patient/${patient.id}/_history/${patient.version}`;
  return preferredReturn(request, { status: 201, body: fhirPatient(patient), headers: { ...versionHeaders(patient), Location: location } }, 'Patient created.');
}

/** The patients an `If-None-Exist` search finds (at most two: one is the answer, two are too many). */
async function conditionalMatches(request: FhirRequest, condition: string): Promise<Patient[]> {
  const query = [...new URLSearchParams(condition.replace(/^\?/, ''))];
  if (query.length === 0) throw new FhirError(400, [{ severity: 'error', code: 'invalid', diagnostics: 'If-None-Exist must carry search parameters, e.g. identifier=system|value.' }]);
  const search = { ...parsePatientSearch(query, false), count: 2 };
  const { patients: found } = await searchPatients(db(), caller(request), search, request.baseUrl);
  return found;
}

export async function update(request: FhirRequest): Promise<FhirResponse> {
  const id = patientId(request);
  const body = request.body as { id?: unknown } | undefined;
  if (body?.id !== id) {
    throw new FhirError(400, [{ severity: 'error', code: 'invalid', diagnostics: `The resource's id must be the id in the URL (${id}).`, expression: ['Patient.id'] }]);
  }
  const mapped = fromFhirPatient(request.body, settings());
  if ('issues' in mapped) throw new FhirError(422, mapped.issues);
  const { registeredDate, ...changes } = mapped.input;
  const fixed = { mrn: mapped.mrn, registeredDate, merges: mapped.merges };
  const { patient } = await patients.updatePatient(db(), caller(request), id, changes, request.header('if-match'), fixed);
  return preferredReturn(request, { status: 200, body: fhirPatient(patient), headers: versionHeaders(patient) }, 'Patient updated.');
}

export async function remove(request: FhirRequest): Promise<FhirResponse> {
  const id = patientId(request);
  try {
    await patients.deletePatient(db(), caller(request), id, request.header('if-match'));
  } catch (error) {
    // Deleting what is already deleted changes nothing (FHIR: 200 or 204).
    if (error instanceof patients.DeletedPatientError) return { status: 204 };
    throw error;
  }
  return { status: 204 };
}
