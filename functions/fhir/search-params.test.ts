import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { FhirError } from './operation-outcome.js';
import { parsePatientSearch, PATIENT_SEARCH_PARAMETERS, serializePatientSearch, type PatientSearch } from './search-params.js';
import { formatDateValue, parseDateValue } from './search-dates.js';

const parse = (query: Array<[string, string]>, lenient = false) => parsePatientSearch(query, lenient);
const conditionsOf = (query: Array<[string, string]>) => parse(query).conditions;

/** The 400 a query gets: its issue code and the parameter it names. */
function refusal(query: Array<[string, string]>): { status: number; code?: string; expression?: string } {
  try {
    parse(query);
  } catch (error) {
    assert.ok(error instanceof FhirError);
    return { status: error.status, code: error.issues[0]?.code, expression: error.issues[0]?.expression?.[0] };
  }
  assert.fail('expected the query to be refused');
}

describe('Patient search parameters', () => {
  test('an empty query is the default search', () => {
    assert.deepEqual(parse([]), { conditions: [], count: 20, sort: [], total: 'none', summaryCount: false, ignored: [] });
  });

  test('comma-separated values are one condition whose values are ORed', () => {
    assert.deepEqual(conditionsOf([['gender', 'male,female']]), [{ param: 'gender', values: ['male', 'female'] }]);
  });

  test('a repeated parameter is two conditions, ANDed', () => {
    assert.equal(conditionsOf([['family', 'Gar'], ['family', 'Lop']]).length, 2);
  });

  test('a string parameter without modifier is a starts-with search', () => {
    assert.deepEqual(conditionsOf([['name', 'Ann']]), [{ param: 'name', modifier: 'starts', values: ['Ann'] }]);
  });

  test('the exact and contains modifiers are kept', () => {
    assert.deepEqual(conditionsOf([['family:exact', 'García'], ['given:contains', 'ari']]).map((c) => 'modifier' in c && c.modifier), ['exact', 'contains']);
  });

  test('an escaped comma is part of the value', () => {
    assert.deepEqual(conditionsOf([['name', 'Smith\\, Jr']]), [{ param: 'name', modifier: 'starts', values: ['Smith, Jr'] }]);
  });

  test('identifier takes system|value, |value and value', () => {
    assert.deepEqual(conditionsOf([['identifier', 'https://lab.example.org|L-1,|L-2,L-3']]), [{
      param: 'identifier', values: [{ system: 'https://lab.example.org', value: 'L-1' }, { system: '', value: 'L-2' }, { value: 'L-3' }],
    }]);
  });

  test('identifier by system alone is refused as not-supported', () => {
    assert.equal(refusal([['identifier', 'https://lab.example.org|']]).code, 'not-supported');
  });

  test('telecom takes email|x, phone|x or x', () => {
    assert.deepEqual(conditionsOf([['telecom', 'email|a@example.org,phone|600,x']]), [{
      param: 'telecom', values: [{ system: 'email', value: 'a@example.org' }, { system: 'phone', value: '600' }, { value: 'x' }],
    }]);
  });

  test('telecom with a system we do not record is refused', () => {
    assert.equal(refusal([['telecom', 'fax|600']]).code, 'not-supported');
  });

  test('gender takes the administrative-gender system', () => {
    assert.deepEqual(conditionsOf([['gender', 'http://hl7.org/fhir/administrative-gender|other']]), [{ param: 'gender', values: ['other'] }]);
  });

  test('a gender outside the value set is a 400', () => {
    assert.deepEqual(refusal([['gender', 'F']]), { status: 400, code: 'code-invalid', expression: 'gender' });
  });

  test('a birth year is the range of that year', () => {
    assert.deepEqual(conditionsOf([['birthdate', '1984']]), [{ param: 'birthdate', values: [{ prefix: 'eq', start: '1984-01-01', end: '1985-01-01' }] }]);
  });

  test('a birth month with a prefix is the range of that month', () => {
    assert.deepEqual(conditionsOf([['birthdate', 'ge1984-02']]), [{ param: 'birthdate', values: [{ prefix: 'ge', start: '1984-02-01', end: '1984-03-01' }] }]);
  });

  test('an impossible date is a 400 invalid', () => {
    assert.equal(refusal([['birthdate', '2023-02-30']]).code, 'invalid');
    assert.equal(refusal([['birthdate', '1984-13']]).code, 'invalid');
  });

  test('birthdate takes dates, not dateTimes', () => {
    assert.equal(refusal([['birthdate', '1984-06-02T10:00Z']]).code, 'invalid');
  });

  test('an unknown prefix is refused as not-supported', () => {
    assert.deepEqual(refusal([['birthdate', 'ap1984']]), { status: 400, code: 'not-supported', expression: 'birthdate' });
  });

  test('_lastUpdated to the minute with a zone is that minute in UTC', () => {
    assert.deepEqual(conditionsOf([['_lastUpdated', 'gt2026-12-01T12:00+02:00']]), [{
      param: '_lastUpdated', values: [{ prefix: 'gt', start: '2026-12-01T10:00:00.000Z', end: '2026-12-01T10:01:00.000Z' }],
    }]);
  });

  test('_lastUpdated as a day is that UTC day', () => {
    assert.deepEqual(conditionsOf([['_lastUpdated', '2026-12-01']]), [{
      param: '_lastUpdated', values: [{ prefix: 'eq', start: '2026-12-01T00:00:00.000Z', end: '2026-12-02T00:00:00.000Z' }],
    }]);
  });

  test('an invalid _id is a 400', () => {
    assert.equal(refusal([['_id', 'not an id!']]).code, 'value');
  });

  test('an unknown parameter is refused as not-supported, naming it', () => {
    assert.deepEqual(refusal([['_include', 'Patient:organization']]), { status: 400, code: 'not-supported', expression: '_include' });
  });

  test('an unknown modifier is refused as not-supported, naming it', () => {
    assert.deepEqual(refusal([['name:phonetic', 'Ann']]), { status: 400, code: 'not-supported', expression: 'name:phonetic' });
  });

  test('under lenient handling unknown parameters and modifiers are ignored and listed', () => {
    const search = parse([['_include', 'x'], ['name:phonetic', 'Ann'], ['family', 'Gar']], true);
    assert.deepEqual(search.ignored, ['_include', 'name:phonetic']);
    assert.equal(search.conditions.length, 1);
  });

  test('under lenient handling a bad value is still a 400', () => {
    assert.throws(() => parse([['birthdate', '1984-13']], true), FhirError);
  });

  test('_format and _pretty are accepted and ignored', () => {
    assert.deepEqual(parse([['_format', 'json'], ['_pretty', 'true']]), parse([]));
  });

  test('an empty value is a 400', () => {
    assert.equal(refusal([['family', '']]).status, 400);
  });

  test('an empty value between commas is a 400', () => {
    assert.equal(refusal([['family', 'a,,b']]).status, 400);
  });

  test('a value over 200 characters is a 400', () => {
    assert.equal(refusal([['family', 'x'.repeat(201)]]).code, 'invalid');
  });

  test('_count above 100 is capped at 100', () => {
    assert.equal(parse([['_count', '500']]).count, 100);
  });

  test('_count 0 is allowed', () => {
    assert.equal(parse([['_count', '0']]).count, 0);
  });

  test('_count that is not a whole number is a 400', () => {
    assert.equal(refusal([['_count', '-1']]).expression, '_count');
  });

  test('a repeated _count, _sort or _total is a 400', () => {
    for (const name of ['_count', '_sort', '_total']) {
      const value = name === '_count' ? '10' : name === '_sort' ? 'family' : 'accurate';
      assert.equal(refusal([[name, value], [name, value]]).expression, name);
    }
  });

  test('_sort takes the three keys, each optionally descending', () => {
    assert.deepEqual(parse([['_sort', 'family,-birthdate,_lastUpdated']]).sort, [
      { key: 'family', descending: false }, { key: 'birthdate', descending: true }, { key: '_lastUpdated', descending: false },
    ]);
  });

  test('_sort by another key is a 400', () => {
    assert.equal(refusal([['_sort', 'email']]).status, 400);
  });

  test('_total=estimate is answered as accurate', () => {
    assert.equal(parse([['_total', 'estimate']]).total, 'accurate');
  });

  test('_summary=count is read, true and _elements subset, data and false are whole records; text is not-supported', () => {
    assert.equal(parse([['_summary', 'count']]).summaryCount, true);
    assert.deepEqual(parse([['_summary', 'true']]).subset, { summary: true });
    assert.deepEqual(parse([['_elements', 'name,birthDate,name']]).subset, { elements: ['name', 'birthDate'] });
    assert.equal(parse([['_summary', 'data']]).subset, undefined);
    assert.equal(refusal([['_summary', 'text']]).code, 'not-supported');
  });

  test('_elements names Patient elements only, and does not go with a _summary other than false', () => {
    assert.deepEqual(refusal([['_elements', 'name,ssn']]), { status: 400, code: 'invalid', expression: '_elements' });
    assert.deepEqual(parse([['_elements', 'name,ssn']], true).subset, { elements: ['name'] }, 'lenient: the unknown name is dropped');
    assert.equal(parse([['_elements', 'ssn']], true).subset, undefined);
    assert.equal(refusal([['_elements', 'name'], ['_summary', 'true']]).expression, '_elements');
    assert.equal(refusal([['_summary', 'count'], ['_elements', 'name']]).expression, '_elements');
    assert.deepEqual(parse([['_elements', 'name'], ['_summary', 'false']]).subset, { elements: ['name'] });
  });

  test('_cursor is kept as it is', () => {
    assert.equal(parse([['_cursor', 'eyJwIjoxMn0']]).cursor, 'eyJwIjoxMn0');
  });

  test('every search parameter is documented for the CapabilityStatement', () => {
    assert.deepEqual(PATIENT_SEARCH_PARAMETERS.map((p) => p.name).sort(),
      ['_id', '_lastUpdated', 'birthdate', 'email', 'family', 'gender', 'given', 'identifier', 'name', 'phone', 'telecom']);
  });
});

describe('date values', () => {
  test('a dateTime with seconds is a one-second range', () => {
    const parsed = parseDateValue('2026-12-01T10:00:05Z', 'instant');
    assert.ok('value' in parsed);
    assert.equal(parsed.value.end, '2026-12-01T10:00:06.000Z');
  });

  test('the last year is a range too', () => {
    const parsed = parseDateValue('9999', 'date');
    assert.ok('value' in parsed);
    assert.deepEqual(parsed.value, { prefix: 'eq', start: '9999-01-01', end: '10000-01-01' });
  });

  test('a date value is written back in its shortest form', () => {
    const parsed = parseDateValue('le2026-12-01T12:00+02:00', 'instant');
    assert.ok('value' in parsed);
    assert.equal(formatDateValue(parsed.value, 'instant'), 'le2026-12-01T10:00Z');
  });
});

// Generated queries: any value of every parameter, with the characters that need escaping.
const text = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/\p{Cc}/u.test(s));
const escaped = text.map((s) => s.replace(/[\\,|$]/g, '\\$&'));
const dateText = fc.tuple(fc.constantFrom('', 'ge', 'lt', 'ne', 'sa'), fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), fc.constantFrom(4, 7, 10))
  .map(([prefix, date, length]) => `${prefix}${date.toISOString().slice(0, length)}`);
const instantText = fc.tuple(dateText, fc.constantFrom('', 'T10:00Z', 'T23:59:59+14:00', 'T00:00:00.5-03:30'))
  .map(([date, time]) => (/\d{4}-\d{2}-\d{2}$/.test(date) ? `${date}${time}` : date));
const values = (item: fc.Arbitrary<string>) => fc.array(item, { minLength: 1, maxLength: 3 }).map((items) => items.join(','));
const parameter: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(fc.constantFrom('name', 'family:exact', 'given:contains'), values(escaped)),
  fc.tuple(fc.constant('identifier'), values(fc.tuple(fc.option(escaped, { nil: undefined }), escaped).map(([s, v]) => (s === undefined ? v : `${s}|${v}`)))),
  fc.tuple(fc.constant('telecom'), values(fc.tuple(fc.constantFrom('', 'email|', 'phone|'), escaped).map(([s, v]) => `${s}${v}`))),
  fc.tuple(fc.constantFrom('email', 'phone'), values(escaped)),
  fc.tuple(fc.constant('gender'), values(fc.constantFrom('male', 'female', 'other', 'unknown'))),
  fc.tuple(fc.constant('birthdate'), values(dateText)),
  fc.tuple(fc.constant('_lastUpdated'), values(instantText)),
  fc.tuple(fc.constant('_id'), values(fc.uuid())),
);
const searches: fc.Arbitrary<PatientSearch> = fc.record({
  params: fc.array(parameter, { maxLength: 6 }),
  count: fc.integer({ min: 0, max: 300 }),
  sort: fc.subarray(['family', '-birthdate', '_lastUpdated']),
  total: fc.constantFrom('none', 'estimate', 'accurate'),
  summary: fc.constantFrom('count', 'true', 'false', undefined),
  elements: fc.option(fc.subarray(['name', 'birthDate', 'identifier', 'telecom'], { minLength: 1 }), { nil: undefined }),
  cursor: fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), { nil: undefined }),
}).map(({ params, count, sort, total, summary, elements, cursor }) => parse([
  ...params, ['_count', String(count)], ['_total', total], ...(sort.length > 0 ? [['_sort', sort.join(',')] as [string, string]] : []),
  ...(summary ? [['_summary', summary] as [string, string]] : []), ...(cursor ? [['_cursor', cursor] as [string, string]] : []),
  // _elements goes only with _summary=false or none (a combination is refused).
  ...(elements && (summary === undefined || summary === 'false') ? [['_elements', elements.join(',')] as [string, string]] : []),
]));

describe('canonical queries', () => {
  test('a serialized search parses back to the same search', () => {
    fc.assert(fc.property(searches, (search) => {
      assert.deepEqual(parse(serializePatientSearch(search)), search);
    }), { numRuns: 300 });
  });

  test('ignored parameters are not in the canonical query', () => {
    const search = parse([['_include', 'x'], ['family', 'Gar']], true);
    assert.deepEqual(serializePatientSearch(search), [['family', 'Gar'], ['_count', '20']]);
  });
});
