/**
 * A Patient search query, parsed once into a typed description the repository turns into SQL. Anything we cannot
 * honour is a 400 naming the parameter — or, under `Prefer: handling=lenient`, an unknown parameter or modifier is
 * listed in `ignored` for the Bundle to report. A bad value is a 400 either way: a search that silently means
 * something else is worse than none.
 */
import { badParameter } from './operation-outcome.js';
import { GENDERS, type Gender } from './patient-record.js';
import { isFhirId } from './fhir-values.js';
import { formatDateValue, parseDateValue, type DateKind, type DateValue } from './search-dates.js';
import { readSummaryAndElements, serializeSubset, type Subset } from './subsetting.js';

export { DATE_PREFIXES, type DatePrefix, type DateValue } from './search-dates.js';

export type StringModifier = 'starts' | 'exact' | 'contains';
export type TelecomSystem = 'email' | 'phone';

/** One occurrence of a parameter; its values are ORed, the conditions ANDed. */
export type SearchCondition =
  | { param: '_id'; values: string[] }
  /** 'system|value' → {system, value}; '|value' → {system: '', value} (no system); 'value' → {value} (any system). */
  | { param: 'identifier'; values: Array<{ system?: string; value: string }> }
  /** No modifier is FHIR's string search: starts with, case- and accent-insensitive. */
  | { param: 'name' | 'family' | 'given'; modifier: StringModifier; values: string[] }
  | { param: 'birthdate' | '_lastUpdated'; values: DateValue[] }
  | { param: 'gender'; values: Gender[] }
  /** Plain values: 'email=a@example.org'. */
  | { param: 'email' | 'phone'; values: string[] }
  /** 'email|x' and 'phone|x' → {system, value}; 'x' → {value} (either). */
  | { param: 'telecom'; values: Array<{ system?: TelecomSystem; value: string }> };

export type SortKey = 'family' | 'birthdate' | '_lastUpdated';

export interface PatientSearch {
  conditions: SearchCondition[];
  /** Entries per page: default 20, larger values capped at 100 without a word (FHIR lets servers cap), 0 = none. */
  count: number;
  sort: Array<{ key: SortKey; descending: boolean }>;
  /** `_total=estimate` is answered as accurate. */
  total: 'none' | 'accurate';
  summaryCount: boolean;
  /** `_summary=true` or `_elements`: the entries hold only part of each record. */
  subset?: Subset;
  /** Our opaque paging token, `_cursor`, only ever from a Bundle's next link. */
  cursor?: string;
  /** Parameters ignored under lenient handling, as sent (e.g. 'name:phonetic', '_include'). */
  ignored: string[];
}

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 100;
const MAX_VALUE_LENGTH = 200;
const MAX_VALUES = 20;
const MAX_PARAMETERS = 30;
const MAX_CURSOR_LENGTH = 500;
const GENDER_SYSTEM = 'http://hl7.org/fhir/administrative-gender';
const SORT_KEYS: readonly SortKey[] = ['family', 'birthdate', '_lastUpdated'];

export const PATIENT_SEARCH_PARAMETERS: Array<{ name: string; type: 'token' | 'string' | 'date'; documentation: string }> = [
  { name: '_id', type: 'token', documentation: 'The patient id; several ids separated by commas.' },
  { name: 'identifier', type: 'token', documentation: 'An identifier, the MRN included: system|value, |value (no system) or value (any system).' },
  { name: 'name', type: 'string', documentation: 'Any part of the name: the display name, family or given. Starts with, case- and accent-insensitive; :exact and :contains supported.' },
  { name: 'family', type: 'string', documentation: 'The family name. Starts with, case- and accent-insensitive; :exact and :contains supported.' },
  { name: 'given', type: 'string', documentation: 'A given name. Starts with, case- and accent-insensitive; :exact and :contains supported.' },
  { name: 'birthdate', type: 'date', documentation: 'The date of birth: YYYY, YYYY-MM or YYYY-MM-DD with the prefixes eq, ne, gt, lt, ge, le, sa, eb.' },
  { name: 'gender', type: 'token', documentation: 'male, female, other or unknown.' },
  { name: 'email', type: 'token', documentation: 'The email address, exact and case-insensitive.' },
  { name: 'phone', type: 'token', documentation: 'The phone number, exact.' },
  { name: 'telecom', type: 'token', documentation: 'email|value, phone|value, or a value of either.' },
  { name: '_lastUpdated', type: 'date', documentation: 'When the record last changed: a date or a dateTime (UTC when no zone is given), with prefixes.' },
];


/** Splits on `separator` where it is not escaped by a backslash; the parts keep their escapes. */
function splitUnescaped(text: string, separator: ',' | '|'): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] ?? '';
    if (c === '\\' && i + 1 < text.length) { current += c + (text[i + 1] ?? ''); i += 1; }
    else if (c === separator) { parts.push(current); current = ''; }
    else current += c;
  }
  return [...parts, current];
}
/** FHIR search escapes: \, \| \$ \\ stand for the character itself. */
const unescape = (text: string) => text.replace(/\\([\\,|$])/g, '$1');
const escape = (text: string) => text.replace(/[\\,|$]/g, '\\$&');

type Condition = SearchCondition;
type Reader = (parameter: string, items: string[], modifier: string | undefined) => Condition;

/** The `system|value` halves of a token, unescaped; [undefined, value] when there is no system. */
function tokenParts(parameter: string, item: string): [string | undefined, string] {
  const parts = splitUnescaped(item, '|').map(unescape);
  if (parts.length > 2) throw badParameter(parameter, 'value', `${parameter}: '${item}' has more than one unescaped '|'.`);
  const [first = '', second] = parts;
  if (second === undefined) return [undefined, first];
  if (second === '') throw badParameter(parameter, 'not-supported', `${parameter}: searching by system alone ('${item}') is not supported; give a value.`);
  return [first, second];
}

const plainValue = (parameter: string, item: string): string => {
  const [system, value] = tokenParts(parameter, item);
  if (system !== undefined) throw badParameter(parameter, 'value', `${parameter} takes a plain value, without a system|.`);
  return value;
};

/** The search parameters we serve: each reads one occurrence's comma-separated items. */
const READERS: Readonly<Record<string, Reader>> = {
  _id: (parameter, items) => ({
    param: '_id',
    values: items.map(unescape).map((id) => {
      if (!isFhirId(id)) throw badParameter(parameter, 'value', `_id '${id}' is not a valid id.`);
      return id;
    }),
  }),
  identifier: (parameter, items) => ({
    param: 'identifier',
    values: items.map((item) => {
      const [system, value] = tokenParts(parameter, item);
      return system === undefined ? { value } : { system, value };
    }),
  }),
  ...Object.fromEntries((['name', 'family', 'given'] as const).map((param): [string, Reader] => [param, (_parameter, items, modifier) => ({
    param, modifier: (modifier ?? 'starts') as StringModifier, values: items.map(unescape),
  })])),
  birthdate: (parameter, items) => ({ param: 'birthdate', values: items.map((item) => dateValue(parameter, item, 'date')) }),
  _lastUpdated: (parameter, items) => ({ param: '_lastUpdated', values: items.map((item) => dateValue(parameter, item, 'instant')) }),
  gender: (parameter, items) => ({
    param: 'gender',
    values: items.map((item) => {
      const [system, code] = tokenParts(parameter, item);
      if ((system === undefined || system === GENDER_SYSTEM) && (GENDERS as readonly string[]).includes(code)) return code as Gender;
      throw badParameter(parameter, 'code-invalid', `gender '${item}' is not one of ${GENDERS.join(', ')}.`);
    }),
  }),
  email: (parameter, items) => ({ param: 'email', values: items.map((item) => plainValue(parameter, item)) }),
  phone: (parameter, items) => ({ param: 'phone', values: items.map((item) => plainValue(parameter, item)) }),
  telecom: (parameter, items) => ({
    param: 'telecom',
    values: items.map((item) => {
      const [system, value] = tokenParts(parameter, item);
      if (system === undefined) return { value };
      if (system === 'email' || system === 'phone') return { system, value };
      throw badParameter(parameter, 'not-supported', `telecom: this server records only email and phone, not '${system}'.`);
    }),
  }),
};
const MODIFIERS: Readonly<Record<string, readonly string[]>> = { name: ['exact', 'contains'], family: ['exact', 'contains'], given: ['exact', 'contains'] };

function dateValue(parameter: string, item: string, kind: DateKind): DateValue {
  const parsed = parseDateValue(unescape(item), kind);
  if ('value' in parsed) return parsed.value;
  if (parsed.error === 'prefix') throw badParameter(parameter, 'not-supported', `${parameter}: the prefix '${parsed.prefix}' is not supported (eq, ne, gt, lt, ge, le, sa, eb are).`);
  const forms = kind === 'date' ? 'YYYY, YYYY-MM or YYYY-MM-DD' : 'YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.sss]][Z|±hh:mm]';
  throw badParameter(parameter, 'invalid', `${parameter}: '${item}' is not a valid date (${forms}).`);
}

/** Result parameters: each may appear once. */
const RESULT_PARAMETERS = ['_count', '_sort', '_total', '_summary', '_elements', '_cursor'] as const;
/** Accepted and ignored by every interaction's parameters: the router handles them. */
export const ROUTER_PARAMETERS: ReadonlySet<string> = new Set(['_format', '_pretty']);

/** `_count` of a search or a history: a page size, larger values capped at MAX_COUNT without a word (FHIR lets servers cap). */
export function readCount(value: string): number {
  if (!/^[0-9]{1,9}$/.test(value)) throw badParameter('_count', 'invalid', '_count must be a whole number, 0 or more.');
  return Math.min(Number(value), MAX_COUNT);
}

export function parsePatientSearch(query: Array<[string, string]>, lenient: boolean): PatientSearch {
  if (query.length > MAX_PARAMETERS) throw badParameter('query', 'too-costly', `A search takes at most ${MAX_PARAMETERS} parameters.`);
  const search: PatientSearch = { conditions: [], count: DEFAULT_COUNT, sort: [], total: 'none', summaryCount: false, ignored: [] };
  const seen = new Set<string>();
  const subsetValues: { _summary?: string; _elements?: string } = {};
  for (const [parameter, value] of query) {
    const colon = parameter.indexOf(':');
    const [name, modifier] = colon < 0 ? [parameter, undefined] : [parameter.slice(0, colon), parameter.slice(colon + 1)];
    if (ROUTER_PARAMETERS.has(name)) continue;
    const reader = READERS[name];
    const isResult = (RESULT_PARAMETERS as readonly string[]).includes(name);
    const unsupported = !reader && !isResult ? `Unknown search parameter '${parameter}'.`
      : modifier !== undefined && !(MODIFIERS[name] ?? []).includes(modifier) ? `The modifier ':${modifier}' is not supported on '${name}'.` : undefined;
    if (unsupported !== undefined) {
      if (!lenient) throw badParameter(parameter, 'not-supported', unsupported);
      search.ignored.push(parameter);
      continue;
    }
    if (value === '') throw badParameter(parameter, 'invalid', `${parameter} has an empty value.`);
    if (/\p{Cc}/u.test(value)) throw badParameter(parameter, 'invalid', `${parameter} holds control characters.`);
    if (isResult) {
      if (seen.has(name)) throw badParameter(parameter, 'invalid', `${name} may be given only once.`);
      seen.add(name);
      if (name === '_summary' || name === '_elements') subsetValues[name] = value;
      else readResultParameter(search, name, value);
      continue;
    }
    const items = splitUnescaped(value, ',');
    if (items.length > MAX_VALUES) throw badParameter(parameter, 'too-costly', `${parameter} takes at most ${MAX_VALUES} values.`);
    for (const item of items) {
      if (item === '') throw badParameter(parameter, 'invalid', `${parameter} has an empty value between commas.`);
      // Measured unescaped, so the canonical (fully escaped) form of a value that passed passes again.
      if (unescape(item).length > MAX_VALUE_LENGTH) throw badParameter(parameter, 'invalid', `${parameter}: a value is longer than ${MAX_VALUE_LENGTH} characters.`);
    }
    search.conditions.push(reader!(parameter, items, modifier));
  }
  const { count, subset } = readSummaryAndElements(subsetValues._summary, subsetValues._elements, lenient);
  search.summaryCount = count;
  if (subset) search.subset = subset;
  return search;
}

function readResultParameter(search: PatientSearch, name: string, value: string): void {
  switch (name) {
    case '_count':
      search.count = readCount(value);
      return;
    case '_sort':
      for (const item of value.split(',')) {
        const key = item.replace(/^-/, '') as SortKey;
        if (!SORT_KEYS.includes(key)) throw badParameter(name, 'not-supported', `Sorting by '${item}' is not supported; use ${SORT_KEYS.join(', ')}, each optionally with '-'.`);
        if (search.sort.some((s) => s.key === key)) throw badParameter(name, 'invalid', `_sort names '${key}' twice.`);
        search.sort.push({ key, descending: item.startsWith('-') });
      }
      return;
    case '_total':
      if (value !== 'none' && value !== 'estimate' && value !== 'accurate') throw badParameter(name, 'invalid', '_total must be none, estimate or accurate.');
      // An estimate costs us the same count as an exact total, so it is exact.
      search.total = value === 'none' ? 'none' : 'accurate';
      return;
    case '_cursor':
      if (value.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(value)) throw badParameter(name, 'invalid', '_cursor is not a paging token this server issued; follow the Bundle next link.');
      search.cursor = value;
  }
}

function conditionValues(condition: Condition): string[] {
  switch (condition.param) {
    case 'birthdate': return condition.values.map((v) => escape(formatDateValue(v, 'date')));
    case '_lastUpdated': return condition.values.map((v) => escape(formatDateValue(v, 'instant')));
    case 'identifier': case 'telecom':
      return condition.values.map((v) => (v.system === undefined ? escape(v.value) : `${escape(v.system)}|${escape(v.value)}`));
    default: return condition.values.map(escape);
  }
}

/** The canonical query of a search, for a Bundle's self and next links; parsePatientSearch reads it back as `search`. */
export function serializePatientSearch(search: PatientSearch): Array<[string, string]> {
  const query: Array<[string, string]> = search.conditions.map((condition) => {
    const modifier = 'modifier' in condition && condition.modifier !== 'starts' ? `:${condition.modifier}` : '';
    return [`${condition.param}${modifier}`, conditionValues(condition).join(',')];
  });
  if (search.sort.length > 0) query.push(['_sort', search.sort.map((s) => `${s.descending ? '-' : ''}${s.key}`).join(',')]);
  query.push(['_count', String(search.count)]);
  if (search.total !== 'none') query.push(['_total', search.total]);
  if (search.summaryCount) query.push(['_summary', 'count']);
  query.push(...serializeSubset(search.subset));
  if (search.cursor !== undefined) query.push(['_cursor', search.cursor]);
  return query;
}
