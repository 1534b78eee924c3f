/**
 * `_summary=true` and `_elements` (FHIR R4 search result parameters, also honoured on read): a Patient with only
 * its summary elements or the named ones, besides `id` and `meta`, and tagged SUBSETTED so that nobody takes it for
 * the whole record. A SUBSETTED Patient sent back to be stored is refused (patient-mapping.ts): it would erase what
 * was left out.
 */
import { badParameter } from './operation-outcome.js';

/** R4 Patient elements marked `isSummary` (the choice `deceased[x]` under the names it takes in JSON). */
const PATIENT_SUMMARY_ELEMENTS = ['identifier', 'active', 'name', 'telecom', 'gender', 'birthDate', 'deceasedBoolean', 'deceasedDateTime', 'address', 'managingOrganization', 'link'];
/** Every element of an R4 Patient (DomainResource's included) a client may name in `_elements`. */
const PATIENT_ELEMENTS = new Set([
  'id', 'meta', 'implicitRules', 'language', 'text', 'contained', 'extension', 'modifierExtension', 'identifier', 'active', 'name', 'telecom',
  'gender', 'birthDate', 'deceased', 'deceasedBoolean', 'deceasedDateTime', 'address', 'maritalStatus', 'multipleBirth', 'multipleBirthBoolean',
  'multipleBirthInteger', 'photo', 'contact', 'communication', 'generalPractitioner', 'managingOrganization', 'link',
]);
const MAX_ELEMENTS = 30;

export const SUBSETTED_TAG = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED', display: 'subsetted' } as const;

/** What a search or read asks to be left out: nothing, all but the summary, or all but the named elements. */
export type Subset = { summary: true } | { elements: string[] };


/**
 * `_elements`: Patient element names, comma-separated; a name Patient does not have is 400 (lenient: dropped, and
 * with no name left, no subset).
 */
function readElements(value: string, lenient: boolean): { elements: string[] } | undefined {
  const names = value.split(',').map((name) => name.trim());
  if (names.length > MAX_ELEMENTS) throw badParameter('_elements', 'too-costly', `_elements names at most ${MAX_ELEMENTS} elements.`);
  const unknown = names.filter((name) => !PATIENT_ELEMENTS.has(name));
  if (unknown.length > 0 && !lenient) throw badParameter('_elements', 'invalid', `_elements: Patient has no element ${unknown.map((name) => `'${name}'`).join(', ')}.`);
  const elements = [...new Set(names.filter((name) => PATIENT_ELEMENTS.has(name)))];
  return elements.length > 0 ? { elements } : undefined;
}

/**
 * `_summary` and `_elements` as given (each at most once), for a search and a read alike: `count` (the total only),
 * part of each record, or whole records. `_summary=true` subsets; `false` and `data` (we keep no narrative to leave
 * out) are whole records; `text` is not supported. `_elements` goes only with `_summary=false`.
 */
export function readSummaryAndElements(summary: string | undefined, elements: string | undefined, lenient: boolean): { count: boolean; subset?: Subset } {
  if (elements !== undefined && summary !== undefined && summary !== 'false') throw badParameter('_elements', 'invalid', '_elements cannot be combined with _summary (other than false).');
  if (summary === 'count') return { count: true };
  if (summary === 'true') return { count: false, subset: { summary: true } };
  if (summary !== undefined && summary !== 'false' && summary !== 'data') {
    throw badParameter('_summary', 'not-supported', `_summary=${summary} is not supported; true, data, false and (on searches) count are.`);
  }
  const named = elements === undefined ? undefined : readElements(elements, lenient);
  return named ? { count: false, subset: named } : { count: false };
}

/** `_summary` and `_elements` of a read; its other parameters mean nothing to a read and are ignored. */
export function readSubset(query: Array<[string, string]>, lenient: boolean): Subset | undefined {
  const once = (name: string) => {
    const values = query.filter(([parameter]) => parameter === name);
    if (values.length > 1) throw badParameter(name, 'invalid', `${name} may be given only once.`);
    return values[0]?.[1];
  };
  const { count, subset } = readSummaryAndElements(once('_summary'), once('_elements'), lenient);
  if (count) throw badParameter('_summary', 'not-supported', '_summary=count is for searches: a read gives one record.');
  return subset;
}

/** The canonical query parameter of a subset, for self and next links. */
export function serializeSubset(subset: Subset | undefined): Array<[string, string]> {
  if (!subset) return [];
  return 'summary' in subset ? [['_summary', 'true']] : [['_elements', subset.elements.join(',')]];
}

/** The resource with only what `subset` keeps (and `resourceType`, `id`, `meta`), tagged SUBSETTED. */
export function subsetted<T extends { resourceType: string; meta?: object }>(resource: T, subset: Subset | undefined): T {
  if (!subset) return resource;
  const meta = resource.meta as { tag?: unknown[] } | undefined;
  const keep = new Set(['resourceType', 'id', 'meta', ...('summary' in subset ? PATIENT_SUMMARY_ELEMENTS : subset.elements)]);
  if (!('summary' in subset) && keep.has('deceased')) keep.add('deceasedBoolean').add('deceasedDateTime');
  if (!('summary' in subset) && keep.has('multipleBirth')) keep.add('multipleBirthBoolean').add('multipleBirthInteger');
  const kept = Object.fromEntries(Object.entries(resource).filter(([name]) => keep.has(name)));
  return { ...kept, meta: { ...meta, tag: [...(meta?.tag ?? []), SUBSETTED_TAG] } } as T;
}

/** Whether a resource's `meta` says it is only part of a record (a `_summary` or `_elements` view). */
export function isSubsetted(meta: unknown): boolean {
  const tags = (meta as { tag?: unknown } | null | undefined)?.tag;
  return Array.isArray(tags) && tags.some((tag) => (tag as { code?: unknown } | null)?.code === SUBSETTED_TAG.code && (tag as { system?: unknown } | null)?.system === SUBSETTED_TAG.system);
}
