import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FhirError } from './operation-outcome.js';
import { readSubset, refuseSubsetted, SUBSETTED_TAG, subsetted } from './subsetting.js';

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

  test('a read takes _summary and _elements, the last one given deciding, and ignores the rest', () => {
    assert.deepEqual(readSubset([['_summary', 'true'], ['foo', 'bar']], false), { summary: true });
    assert.deepEqual(readSubset([['_summary', 'true'], ['_elements', 'name']], false), { elements: ['name'] });
    assert.equal(readSubset([['_summary', 'false']], false), undefined);
    assert.throws(() => readSubset([['_summary', 'count']], false), FhirError);
  });

  test('a SUBSETTED resource sent to be stored is refused, any other passes', () => {
    assert.throws(() => refuseSubsetted(subsetted(patient, { summary: true })), (error: unknown) => error instanceof FhirError && error.status === 422);
    assert.doesNotThrow(() => refuseSubsetted(patient));
    assert.doesNotThrow(() => refuseSubsetted({ meta: { tag: 'not an array' } }));
    assert.doesNotThrow(() => refuseSubsetted(null));
  });
});
