/**
 * A FHIR Patient search as a searchset Bundle: the page the service finds, `_total` and `_summary=count`, and
 * paging only through `Bundle.link` `next`, whose opaque `_cursor` holds where the page ended (its sort values
 * and `seq`) and which sort it belongs to. Keyset paging: records created meanwhile neither shift nor repeat a page.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../shared/db.schema.js';
import type { Patient } from '../patients/patient.table.js';
import type { SearchPosition } from '../patients/patient-search.repository.js';
import * as patients from '../patients/patients.service.js';
import { FhirError } from './operation-outcome.js';
import { toFhirPatient } from './patient-mapping.js';
import { config } from '../shared/config.js';
import { serializePatientSearch, type PatientSearch } from './search-params.js';
import { subsetted } from './subsetting.js';

const sortSignature = (search: PatientSearch) => search.sort.map(({ key, descending }) => `${descending ? '-' : ''}${key}`).join(',');

export function encodeCursor(search: PatientSearch, position: SearchPosition): string {
  return Buffer.from(JSON.stringify({ o: sortSignature(search), v: position.values, s: position.seq })).toString('base64url');
}

export function decodeCursor(search: PatientSearch, cursor: string): SearchPosition {
  const refused = () => new FhirError(400, [{ severity: 'error', code: 'invalid', diagnostics: '_cursor is not one this server gave in a next link of this search.', expression: ['_cursor'] }]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refused();
  }
  const { o, v, s } = (decoded ?? {}) as { o?: unknown; v?: unknown; s?: unknown };
  const valid = o === sortSignature(search) && Array.isArray(v) && v.length === search.sort.length && v.every((value) => typeof value === 'string' && value.length <= 100) && Number.isSafeInteger(s) && (s as number) >= 0;
  if (!valid) throw refused();
  return { values: v as string[], seq: s as number };
}

/**
 * Without `_sort`, records come in the order they were created, except for a search by `_lastUpdated`: it comes in
 * `_lastUpdated` order, which its index gives directly (in creation order every page would filter the records of
 * the range one by one). The self link then says `_sort=_lastUpdated`.
 */
function withDefaultOrder(search: PatientSearch): PatientSearch {
  if (search.sort.length > 0 || !search.conditions.some((condition) => condition.param === '_lastUpdated')) return search;
  return { ...search, sort: [{ key: '_lastUpdated', descending: false }] };
}

const searchUrl = (baseUrl: string, search: PatientSearch, cursor?: string) => {
  const query = new URLSearchParams(serializePatientSearch({ ...search, cursor }));
  return `${baseUrl}/Patient?${query.toString()}`;
};

/** The Bundle of a search (and the patients on its page, for a conditional create). */
export async function searchPatients(db: Kysely<Database>, caller: patients.Caller, requested: PatientSearch, baseUrl: string) {
  const search = withDefaultOrder(requested);
  const position = search.cursor ? decodeCursor(search, search.cursor) : undefined;
  const self = { relation: 'self', url: searchUrl(baseUrl, search, search.cursor) };
  const ignored = search.ignored.length > 0
    ? [{
        // Every searchset entry needs a fullUrl; an outcome has no home of its own, so it is named by a fresh UUID.
        fullUrl: `urn:uuid:${randomUUID()}`,
        resource: {
          resourceType: 'OperationOutcome',
          issue: search.ignored.map((name) => ({ severity: 'warning', code: 'not-supported', diagnostics: `The search parameter ${name} is not supported; it was ignored (Prefer: handling=lenient).` })),
        },
        search: { mode: 'outcome' },
      }]
    : [];
  if (search.summaryCount) {
    const total = await patients.countPatients(db, search);
    return { patients: [] as Patient[], bundle: { resourceType: 'Bundle', type: 'searchset', total, link: [self], ...(ignored.length > 0 ? { entry: ignored } : {}) } };
  }
  const page = search.count === 0 ? { patients: [] as Patient[], next: null } : await patients.findPatients(db, caller, search, position);
  const total = search.total === 'accurate' ? await patients.countPatients(db, search) : undefined;
  const link = [self, ...(page.next ? [{ relation: 'next', url: searchUrl(baseUrl, search, encodeCursor(search, page.next)) }] : [])];
  const entry = [
    ...page.patients.map((patient) => ({
      fullUrl: `${baseUrl}/Patient/${patient.id}`,
      resource: subsetted(toFhirPatient(patient, { mrnSystem: config.patients.mrnSystem }), search.subset),
      search: { mode: 'match' },
    })),
    ...ignored,
  ];
  return { patients: page.patients, bundle: { resourceType: 'Bundle', type: 'searchset', ...(total === undefined ? {} : { total }), link, ...(entry.length > 0 ? { entry } : {}) } };
}
