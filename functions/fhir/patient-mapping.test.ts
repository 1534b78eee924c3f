import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isDisplayText, isEmail } from './fhir-values.js';
import { fromFhirPatient, joinAddressParts, REGISTERED_DATE_EXTENSION, toFhirPatient, type Issue } from './patient-mapping.js';
import { GENDERS, type Patient } from './patient-record.js';

const settings = { mrnSystem: 'https://patient-management.dev/fhir/mrn' };

const anna: Patient = {
  id: '0b6f3f5e-8a40-4d8e-9d8a-1f8f4c2b7a11', mrn: 'MRN-000123', name: 'Anna María García', familyName: 'García',
  givenNames: ['Anna', 'María'], gender: 'female', phone: '+34 600 123 456', email: 'anna@example.org',
  address: 'Calle Mayor 1\n28013 Madrid', dateOfBirth: '1984-06-02', registeredDate: '2024-01-15',
  identifiers: [{ system: 'https://lab.example.org/ids', value: 'L-77' }, { value: 'no-system' }],
  version: 3, createdAt: '2024-01-15T09:00:00.000Z', updatedAt: '2024-02-01T10:30:00.000Z',
  active: true, mergedInto: null, replaces: [], formerMrns: [],
};

/** A valid incoming resource (what we would send), as plain JSON to mutate. */
const validResource = (): Record<string, unknown> => JSON.parse(JSON.stringify(toFhirPatient(anna, settings))) as Record<string, unknown>;
const issuesOf = (resource: unknown): Issue[] => {
  const result = fromFhirPatient(resource, settings);
  assert.ok('issues' in result, 'expected the resource to be refused');
  return result.issues;
};
const refusal = (resource: unknown, expression: string) => issuesOf(resource).find((i) => i.expression?.includes(expression));

describe('our patient as a FHIR Patient', () => {
  test('carries the MRN as the first identifier, typed MR, with the configured system', () => {
    assert.deepEqual(toFhirPatient(anna, settings).identifier?.[0], {
      use: 'usual', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR', display: 'Medical record number' }] },
      system: settings.mrnSystem, value: 'MRN-000123',
    });
  });

  test('carries the version and last update in meta', () => {
    assert.deepEqual(toFhirPatient(anna, settings).meta, { versionId: '3', lastUpdated: '2024-02-01T10:30:00.000Z' });
  });

  test('a whole record tagged SUBSETTED (a _summary or _elements view) is refused with that one issue, never stored', () => {
    const subsetted = { ...validResource(), meta: { tag: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' }] } };
    assert.deepEqual(issuesOf(subsetted).map((issue) => [issue.code, issue.expression]), [['business-rule', ['Patient.meta.tag']]]);
  });

  test('carries the registration date as our extension', () => {
    assert.deepEqual(toFhirPatient(anna, settings).extension, [{ url: REGISTERED_DATE_EXTENSION, valueDate: '2024-01-15' }]);
  });

  test('leaves out gender, phone, family and given when we have none', () => {
    const fhir = toFhirPatient({ ...anna, gender: null, phone: null, familyName: null, givenNames: [] }, settings);
    assert.equal(fhir.gender, undefined);
    assert.deepEqual(fhir.telecom, [{ system: 'email', value: 'anna@example.org' }]);
    assert.deepEqual(fhir.name, [{ use: 'official', text: 'Anna María García' }]);
  });

  test('a merged record is inactive and replaced-by its target', () => {
    const fhir = toFhirPatient({ ...anna, active: false, mergedInto: 'b0000000-0000-4000-8000-000000000001' }, settings);
    assert.equal(fhir.active, false);
    assert.deepEqual(fhir.link, [{ other: { reference: 'Patient/b0000000-0000-4000-8000-000000000001' }, type: 'replaced-by' }]);
  });

  test('a target replaces the records merged into it and lists their MRNs as old MRNs', () => {
    const fhir = toFhirPatient({ ...anna, replaces: ['c0000000-0000-4000-8000-000000000002'], formerMrns: ['MRN-000007'] }, settings);
    assert.deepEqual(fhir.link, [{ other: { reference: 'Patient/c0000000-0000-4000-8000-000000000002' }, type: 'replaces' }]);
    assert.deepEqual(fhir.identifier?.[1], { ...fhir.identifier?.[0], use: 'old', value: 'MRN-000007' });
  });

  test('a record never merged has no link', () => {
    assert.equal(toFhirPatient(anna, settings).link, undefined);
  });
});

// Generated patients: every value our store could hold.
// Our store's rule for one line of text (openapi.yaml): not blank, no control characters, at most `max` code points.
const line = (max: number) => fc.string({ unit: 'grapheme', minLength: 1, maxLength: max }).filter((s) => isDisplayText(s) && [...s].length <= max);
const date = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const patients: fc.Arbitrary<Patient> = fc.record({
  id: fc.uuid(), mrn: fc.stringMatching(/^MRN-[0-9]{6}$/), name: line(100), familyName: fc.option(line(100), { nil: null }),
  givenNames: fc.array(line(100), { maxLength: 5 }), gender: fc.option(fc.constantFrom(...GENDERS), { nil: null }),
  phone: fc.option(fc.stringMatching(/^\+?[0-9]{3,12}( [0-9]{2,6}){0,2}$/), { nil: null }),
  email: fc.emailAddress().filter(isEmail),
  address: fc.array(line(100), { minLength: 1, maxLength: 4 }).map((lines) => lines.join('\n')),
  dateOfBirth: date, registeredDate: date,
  identifiers: fc.array(fc.record({ system: fc.option(fc.webUrl({ size: 'small' }).filter((u) => u.length <= 200 && u !== settings.mrnSystem), { nil: undefined }), value: line(200) }, { requiredKeys: ['value'] }), { maxLength: 20 })
    .map((ids) => ids.map(({ system, value }) => (system === undefined ? { value } : { system, value }))),
  version: fc.integer({ min: 1, max: 1_000_000 }), createdAt: fc.constant('2024-01-15T09:00:00.000Z'), updatedAt: fc.constant('2024-02-01T10:30:00.000Z'),
  active: fc.constant(true), mergedInto: fc.constant(null), replaces: fc.array(fc.uuid(), { maxLength: 3 }),
  formerMrns: fc.array(fc.stringMatching(/^MRN-[0-9]{6}$/), { maxLength: 3 }),
});

describe('round trip', () => {
  test('our record → FHIR → our record gives back its input fields and its MRN', () => {
    fc.assert(fc.property(patients, (p) => {
      const result = fromFhirPatient(JSON.parse(JSON.stringify(toFhirPatient(p, settings))), settings);
      assert.ok('input' in result, JSON.stringify('issues' in result ? result.issues : ''));
      const { id, mrn, version: _v, createdAt: _c, updatedAt: _u, active: _a, mergedInto: _m, replaces, formerMrns, ...input } = p;
      assert.deepEqual(result.input, input);
      assert.equal(result.mrn, mrn);
      assert.equal(result.id, id);
      const merges = replaces.length + formerMrns.length > 0 ? { formerMrns, links: replaces.map((other) => ({ type: 'replaces', id: other })) } : undefined;
      assert.deepEqual(result.merges, merges);
    }), { numRuns: 300 });
  });
});

describe('a FHIR Patient as our input', () => {
  test('a body that is not an object is refused as structure', () => {
    assert.equal(issuesOf([1, 2])[0]?.code, 'structure');
  });

  test('a missing resourceType is refused', () => {
    const { resourceType: _, ...resource } = validResource();
    assert.equal(refusal(resource, 'Patient.resourceType')?.code, 'structure');
  });

  test('another resource type is refused as invalid', () => {
    assert.equal(refusal({ ...validResource(), resourceType: 'Observation' }, 'Patient.resourceType')?.code, 'invalid');
  });

  test('an element R4 does not define is refused as structure, naming it', () => {
    assert.equal(refusal({ ...validResource(), favouriteColour: 'blue' }, 'Patient.favouriteColour')?.code, 'structure');
  });

  test('an unknown element inside a name is refused as structure', () => {
    const resource = validResource();
    resource.name = [{ text: 'Anna', nickname: 'Ann' }];
    assert.equal(refusal(resource, 'Patient.name[0].nickname')?.code, 'structure');
  });

  for (const [element, value] of [
    ['maritalStatus', { text: 'Married' }], ['contact', [{ name: { text: 'Luis' } }]], ['photo', [{ url: 'https://x.example/p.png' }]],
    ['communication', [{ language: { text: 'es' } }]], ['generalPractitioner', [{ reference: 'Practitioner/1' }]],
    ['managingOrganization', { reference: 'Organization/1' }],
    ['deceasedBoolean', false], ['multipleBirthInteger', 2], ['implicitRules', 'https://x.example/rules'], ['modifierExtension', [{ url: 'x' }]],
  ] as const) {
    test(`${element} is refused as not-supported, saying this server does not record it`, () => {
      const issue = refusal({ ...validResource(), [element]: value }, `Patient.${element}`);
      assert.equal(issue?.code, 'not-supported');
      assert.match(issue?.diagnostics ?? '', /does not record/);
    });
  }

  test('a link to something other than a Patient is refused, naming the reference', () => {
    assert.equal(refusal({ ...validResource(), link: [{ other: { reference: 'RelatedPerson/2' }, type: 'seealso' }] }, 'Patient.link[0].other.reference')?.code, 'value');
  });

  test('a link type outside its value set is refused as code-invalid', () => {
    assert.equal(refusal({ ...validResource(), link: [{ other: { reference: 'Patient/2' }, type: 'sibling' }] }, 'Patient.link[0].type')?.code, 'code-invalid');
  });

  test('a name prefix is refused as not-supported', () => {
    const resource = validResource();
    resource.name = [{ text: 'Dr Anna', prefix: ['Dr'] }];
    assert.equal(refusal(resource, 'Patient.name[0].prefix')?.code, 'not-supported');
  });

  test('an extension on a primitive value is refused as not-supported', () => {
    assert.equal(refusal({ ...validResource(), _birthDate: { extension: [] } }, 'Patient._birthDate')?.code, 'not-supported');
  });

  test('an extension other than our registered date is refused as not-supported', () => {
    const resource = validResource();
    resource.extension = [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueAddress: { city: 'Madrid' } }];
    assert.equal(refusal(resource, 'Patient.extension[0]')?.code, 'not-supported');
  });

  test('a wrong type is refused as value', () => {
    assert.equal(refusal({ ...validResource(), birthDate: 19840602 }, 'Patient.birthDate')?.code, 'value');
  });

  test('an impossible birth date is refused as value', () => {
    assert.equal(refusal({ ...validResource(), birthDate: '2023-02-30' }, 'Patient.birthDate')?.code, 'value');
  });

  test('a partial birth date is refused, saying this server records full dates', () => {
    const issue = refusal({ ...validResource(), birthDate: '1984-06' }, 'Patient.birthDate');
    assert.equal(issue?.code, 'value');
    assert.match(issue?.diagnostics ?? '', /full dates/);
  });

  test('a gender outside the value set is refused as code-invalid', () => {
    assert.equal(refusal({ ...validResource(), gender: 'F' }, 'Patient.gender')?.code, 'code-invalid');
  });

  test('active false is refused as not-supported', () => {
    assert.equal(refusal({ ...validResource(), active: false }, 'Patient.active')?.code, 'not-supported');
  });

  for (const [element, expression] of [['name', 'Patient.name'], ['birthDate', 'Patient.birthDate'], ['telecom', 'Patient.telecom'], ['address', 'Patient.address']]) {
    test(`a missing ${element} is refused as required`, () => {
      const { [element as string]: _, ...resource } = validResource();
      assert.equal(refusal(resource, expression as string)?.code, 'required');
    });
  }

  test('a phone without an email is refused as required', () => {
    assert.equal(refusal({ ...validResource(), telecom: [{ system: 'phone', value: '600 123 456' }] }, 'Patient.telecom')?.code, 'required');
  });

  test('a second email is refused as not-supported', () => {
    const resource = { ...validResource(), telecom: [{ system: 'email', value: 'a@example.org' }, { system: 'email', value: 'b@example.org' }] };
    assert.equal(refusal(resource, 'Patient.telecom[1]')?.code, 'not-supported');
  });

  test('a telecom use is refused as not-supported', () => {
    const resource = { ...validResource(), telecom: [{ system: 'email', value: 'a@example.org', use: 'home' }] };
    assert.equal(refusal(resource, 'Patient.telecom[0].use')?.code, 'not-supported');
  });

  test('an invalid email is refused as value', () => {
    assert.equal(refusal({ ...validResource(), telecom: [{ system: 'email', value: 'not an email' }] }, 'Patient.telecom[0].value')?.code, 'value');
  });

  test('a phone with fewer than 3 digits is refused as value', () => {
    const resource = { ...validResource(), telecom: [{ system: 'email', value: 'a@example.org' }, { system: 'phone', value: '+1 ()' }] };
    assert.equal(refusal(resource, 'Patient.telecom[1].value')?.code, 'value');
  });

  test('a family name over 100 characters is refused as too-long', () => {
    assert.equal(refusal({ ...validResource(), name: [{ family: 'x'.repeat(101) }] }, 'Patient.name[0].family')?.code, 'too-long');
  });

  test('more than 5 given names are refused', () => {
    assert.equal(refusal({ ...validResource(), name: [{ given: ['a', 'b', 'c', 'd', 'e', 'f'] }] }, 'Patient.name[0].given')?.code, 'not-supported');
  });

  test('more than 20 external identifiers are refused', () => {
    const resource = { ...validResource(), identifier: Array.from({ length: 21 }, (_, i) => ({ value: `id-${i}` })) };
    assert.equal(refusal(resource, 'Patient.identifier[20]')?.code, 'not-supported');
  });

  test('an identifier period is refused as not-supported', () => {
    const resource = { ...validResource(), identifier: [{ value: 'x', period: { start: '2020-01-01' } }] };
    assert.equal(refusal(resource, 'Patient.identifier[0].period')?.code, 'not-supported');
  });

  test('a second name is refused as not-supported', () => {
    assert.equal(refusal({ ...validResource(), name: [{ text: 'A' }, { text: 'B' }] }, 'Patient.name[1]')?.code, 'not-supported');
  });

  test('an address with both text and parts is refused, as the parts would be lost', () => {
    assert.equal(refusal({ ...validResource(), address: [{ text: 'Calle Mayor 1', city: 'Madrid' }] }, 'Patient.address[0]')?.code, 'not-supported');
  });

  test('an address over 500 characters is refused as too-long', () => {
    assert.equal(refusal({ ...validResource(), address: [{ text: 'x'.repeat(501) }] }, 'Patient.address[0].text')?.code, 'too-long');
  });

  test('an empty string is refused: FHIR JSON has none', () => {
    assert.equal(refusal({ ...validResource(), name: [{ text: '' }] }, 'Patient.name[0].text')?.code, 'value');
  });

  test('address parts are joined into one text, one line each, city state and postal code on one line', () => {
    const result = fromFhirPatient({ ...validResource(), address: [{ line: ['Calle Mayor 1', 'Piso 2'], city: 'Madrid', state: 'Comunidad de Madrid', postalCode: '28013', country: 'ES' }] }, settings);
    assert.ok('input' in result);
    assert.equal(result.input.address, 'Calle Mayor 1\nPiso 2\nMadrid, Comunidad de Madrid 28013\nES');
  });

  test('joining only a postal code and country gives two lines', () => {
    assert.equal(joinAddressParts({ postalCode: '28013', country: 'ES' }), '28013\nES');
  });

  test('without a name text the display name is the given names then the family name', () => {
    const result = fromFhirPatient({ ...validResource(), name: [{ family: 'García', given: ['Anna', 'María'] }] }, settings);
    assert.ok('input' in result);
    assert.equal(result.input.name, 'Anna María García');
  });

  test('meta, narrative text and language are accepted and ignored', () => {
    const resource = { ...validResource(), meta: { versionId: '9', tag: [{ code: 'x' }] }, text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Anna</div>' }, language: 'es' };
    assert.ok('input' in fromFhirPatient(resource, settings));
  });

  test('the MRN identifier is returned apart, not as an external identifier', () => {
    const result = fromFhirPatient({ ...validResource(), identifier: [{ system: settings.mrnSystem, value: 'MRN-999999' }] }, settings);
    assert.ok('input' in result);
    assert.equal(result.mrn, 'MRN-999999');
    assert.deepEqual(result.input.identifiers, []);
  });

  test('a resource without registered-date extension leaves registeredDate out', () => {
    const { extension: _, ...resource } = validResource();
    const result = fromFhirPatient(resource, settings);
    assert.ok('input' in result);
    assert.equal('registeredDate' in result.input, false);
  });

  test('every problem is reported at once', () => {
    const issues = issuesOf({ ...validResource(), gender: 'F', birthDate: '1984', maritalStatus: { text: 'x' } });
    assert.deepEqual(issues.map((i) => i.expression?.[0]).sort(), ['Patient.birthDate', 'Patient.gender', 'Patient.maritalStatus']);
  });
});
