/** The patients feature's API calls; query keys are named after the routes they read. */
import { queryOptions, skipToken } from '@tanstack/react-query';
import { api, unwrap, unwrapResponse } from '../../api/client';
import type { components } from '../../api/schema';

export type Patient = components['schemas']['Patient'];
/** What a create or an update sends (`registeredDate` is required on a create, ignored on an update). */
export type PatientBody = components['schemas']['PatientCreate'];
export type Gender = NonNullable<Patient['gender']>;
export type InvoiceCreate = components['schemas']['InvoiceCreate'];
export type PatientMatchRequest = components['schemas']['PatientMatchRequest'];
export type PatientMatch = components['schemas']['PatientMatches']['matches'][number];
export type PatientMergeRequest = components['schemas']['PatientMergeRequest'];
export type PatientMergeResult = components['schemas']['PatientMergeResult'];
export type MergeOrigin = PatientMergeResult['fields'][string];
export type PatientMerge = components['schemas']['PatientMergeList']['merges'][number];
export type DuplicatePair = components['schemas']['DuplicatePair'];
export type DuplicatePage = components['schemas']['DuplicatePage'];

export const patientKey = (id: string) => ['/api/patients/{id}', id] as const;
export const billingKey = (id: string) => ['/api/patients/{id}/billing', id] as const;
export const patientMergesKey = (id: string) => ['/api/patients/{id}/merges', id] as const;

export interface VersionedPatient {
  patient: Patient;
  etag: string;
}

export async function readPatient(id: string): Promise<VersionedPatient> {
  const { data, response } = await unwrapResponse(api.GET('/api/patients/{id}', { params: { path: { id } } }));
  return { patient: data, etag: response.headers.get('ETag') ?? '' };
}

export const patientQuery = (id: string) => queryOptions({ queryKey: patientKey(id), queryFn: () => readPatient(id) });

export const billingQuery = (id: string) =>
  queryOptions({
    queryKey: billingKey(id),
    queryFn: () => unwrap(api.GET('/api/patients/{id}/billing', { params: { path: { id } } })),
    retry: false,
  });

/**
 * Likely duplicates of a patient being registered (nothing is asked while `request` is null). Every candidate returned counts as read in the audit trail, so
 * the same question is not asked again on a window's focus, and a failure is not retried (the form works without it).
 */
export const patientMatchesQuery = (request: PatientMatchRequest | null) =>
  queryOptions({
    queryKey: ['/api/patients/matches', request] as const,
    queryFn: request ? async () => (await unwrap(api.POST('/api/patients/matches', { body: request }))).matches : skipToken,
    refetchOnWindowFocus: false,
    retry: false,
  });

export async function createPatient(body: PatientBody): Promise<Patient> {
  return unwrap(api.POST('/api/patients', { body }));
}

export async function updatePatient(id: string, etag: string, body: PatientBody): Promise<VersionedPatient> {
  const { data, response } = await unwrapResponse(
    api.PUT('/api/patients/{id}', { params: { path: { id }, header: { 'If-Match': etag } }, body }),
  );
  return { patient: data, etag: response.headers.get('ETag') ?? '' };
}

export async function deletePatient(id: string, etag: string): Promise<void> {
  await unwrapResponse(api.DELETE('/api/patients/{id}', { params: { path: { id }, header: { 'If-Match': etag } } }));
}

export async function createInvoice(patientId: string, idempotencyKey: string, body: InvoiceCreate) {
  return unwrap(
    api.POST('/api/patients/{id}/invoices', { params: { path: { id: patientId }, header: { 'Idempotency-Key': idempotencyKey } }, body }),
  );
}

/** The merges a patient took part in, newest first (admins: `patients:merge`). */
export const patientMergesQuery = (id: string) =>
  queryOptions({
    queryKey: patientMergesKey(id),
    queryFn: async () => (await unwrap(api.GET('/api/patients/{id}/merges', { params: { path: { id } } }))).merges,
  });

/** A merge, or with `preview` what it would give (nothing changes). */
export async function mergePatients(body: PatientMergeRequest): Promise<PatientMergeResult> {
  return unwrap(api.POST('/api/patients/merges', { body }));
}

export async function unmergePatients(mergeId: string): Promise<{ source: Patient; target: Patient }> {
  return unwrap(api.POST('/api/patients/merges/{mergeId}/unmerge', { params: { path: { mergeId } } }));
}

export const duplicatesKey = ['/api/patients/duplicates'] as const;

/** A pair's two records (the API sends exactly two: minItems and maxItems 2). */
export const pairPatients = (pair: DuplicatePair): [Patient, Patient] => [pair.patients[0]!, pair.patients[1]!];

/** One page of the duplicate report (admins), newest pairs first; `cursor` is the last page's `nextCursor`. */
export async function readDuplicates(cursor: string | undefined, limit: number): Promise<DuplicatePage> {
  return unwrap(api.GET('/api/patients/duplicates', { params: { query: { limit, cursor } } }));
}

/** "Not a duplicate": the pair leaves the report for good. */
export async function decideNotDuplicate(patientIds: [string, string]) {
  return unwrap(api.POST('/api/patients/duplicates/decisions', { body: { patientIds, decision: 'not-duplicate' } }));
}
