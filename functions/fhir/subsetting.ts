/**
 * `_summary=true` and `_elements` (FHIR R4 search result parameters, also honoured on read): a Patient with only
 * its summary elements or the named ones, besides `id` and `meta`, and tagged SUBSETTED so that nobody takes it for
 * the whole record. A SUBSETTED Patient sent back to be stored is refused: it would erase what was left out.
 */
import { FhirError, issueAt, type IssueType } from './operation-outcome.js';

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

const fail = (parameter: string, code: IssueType, diagnostics: string) => new FhirError(400, [issueAt(parameter, code, diagnostics)]);

/** `_summary`: `true` subsets; `false` and `data` (we keep no narrative to leave out) are the whole resource. */
export function readSummary(value: string): { summary: true } | undefined {
  if (value === 'true') return { summary: true };
  if (value === 'false' || value === 'data') return undefined;
  throw fail('_summary', 'not-supported', `_summary=${value} is not supported; true, data, false and (on searches) count are.`);
}

/**
 * `_elements`: Patient element names, comma-separated; a name Patient does not have is 400 (lenient: dropped, and
 * with no name left, no subset).
 */
export function readElements(value: string, lenient: boolean): { elements: string[] } | undefined {
  const names = value.split(',').map((name) => name.trim());
  if (names.length > MAX_ELEMENTS) throw fail('_elements', 'too-costly', `_elements names at most ${MAX_ELEMENTS} elements.`);
  const unknown = names.filter((name) => !PATIENT_ELEMENTS.has(name));
  if (unknown.length > 0 && !lenient) throw fail('_elements', 'invalid', `_elements: Patient has no element ${unknown.map((name) => `'${name}'`).join(', ')}.`);
  const elements = [...new Set(names.filter((name) => PATIENT_ELEMENTS.has(name)))];
  return elements.length > 0 ? { elements } : undefined;
}

/** `_summary` and `_elements` of a read (its other parameters mean nothing to a read and are ignored). */
export function readSubset(query: Array<[string, string]>, lenient: boolean): Subset | undefined {
  let subset: Subset | undefined;
  for (const [name, value] of query) {
    if (name === '_summary') subset = readSummary(value) ?? subset;
    else if (name === '_elements') subset = readElements(value, lenient) ?? subset;
  }
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

/** A resource sent to be stored that says it is only part of a record is refused (422), never stored. */
export function refuseSubsetted(body: unknown): void {
  const tags = (body as { meta?: { tag?: unknown } } | null)?.meta?.tag;
  if (!Array.isArray(tags)) return;
  if (tags.some((tag) => (tag as { code?: unknown })?.code === SUBSETTED_TAG.code && (tag as { system?: unknown })?.system === SUBSETTED_TAG.system)) {
    throw new FhirError(422, [issueAt('Patient.meta.tag', 'business-rule', 'This Patient is tagged SUBSETTED (a _summary or _elements view): read the whole record and send that.')]);
  }
}
