import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FhirError } from './operation-outcome.js';
import { isSubsetted, readSubset, SUBSETTED_TAG, subsetted } from './subsetting.js';

type Resource = { resourceType: string; id: string; meta: { versionId: string; lastUpdated: string; tag?: unknown[] }; [element: string]: unknown };

const patient: Resource = {
  resourceType: 'Patient',
  id: 'p1',
  meta: { versionId: '3', lastUpdated: '2026-12-07T10:00:00.000Z' },
  extension: [{ url: 'https://patient-management.dev/fhir/StructureDefinition/registered-date', valueDate: '2024-01-01' }],
  identifier: [{ system: 'urn:mrn', value: 'MRN-000001' }],
  active: true,
  name: [{ family: 'Okafor', given: ['Ada'] }],
  telecom: [{ system: 'email', value: 'ada@example.org' }],
  gender: 'female',
  birthDate: '1980-02-29',
  address: [{ text: '1 Main St' }],
};

describe('subsetting a Patient', () => {
  test('_summary=true keeps the summary elements, id and meta, and tags the result SUBSETTED', () => {
    const summary = subsetted(patient, { summary: true });
    assert.deepEqual(Object.keys(summary).sort(), ['active', 'address', 'birthDate', 'gender', 'id', 'identifier', 'meta', 'name', 'resourceType', 'telecom']);
    assert.deepEqual(summary.meta.tag, [SUBSETTED_TAG]);
    assert.equal(summary.meta.versionId, '3');
    assert.equal(patient.meta.tag, undefined, 'the record itself is untouched');
  });

  test('_elements keeps only the named elements besides id and meta', () => {
    assert.deepEqual(Object.keys(subsetted(patient, { elements: ['birthDate', 'photo'] })).sort(), ['birthDate', 'id', 'meta', 'resourceType']);
  });

  test('no subset is the whole record, untagged', () => {
    assert.equal(subsetted(patient, undefined), patient);
  });

  test('a read takes _summary and _elements by the rules of a search, and ignores its other parameters', () => {
    assert.deepEqual(readSubset([['_summary', 'true'], ['foo', 'bar']], false), { summary: true });
    assert.deepEqual(readSubset([['_elements', 'name'], ['_summary', 'false']], false), { elements: ['name'] });
    assert.equal(readSubset([['_summary', 'data']], false), undefined);
  });

  test('a read refuses a count, a repeat, a combination and an unknown element, naming the parameter', () => {
    const refused = (query: Array<[string, string]>) => {
      try {
        readSubset(query, false);
      } catch (error) {
        assert.ok(error instanceof FhirError && error.status === 400);
        return error.issues[0]?.expression?.[0];
      }
      return assert.fail(`${JSON.stringify(query)} was accepted`);
    };
    assert.equal(refused([['_summary', 'count']]), '_summary');
    assert.equal(refused([['_summary', 'true'], ['_summary', 'false']]), '_summary');
    assert.equal(refused([['_summary', 'true'], ['_elements', 'name']]), '_elements');
    assert.equal(refused([['_elements', 'name,shoeSize']]), '_elements');
  });

  test('a resource is SUBSETTED only by the v3 ObservationValue tag', () => {
    assert.equal(isSubsetted(subsetted(patient, { summary: true }).meta), true);
    assert.equal(isSubsetted(patient.meta), false);
    assert.equal(isSubsetted({ tag: [{ code: 'SUBSETTED', system: 'urn:other' }] }), false);
    assert.equal(isSubsetted({ tag: 'not an array' }), false);
    assert.equal(isSubsetted(null), false);
  });
});
