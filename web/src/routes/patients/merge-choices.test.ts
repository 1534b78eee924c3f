import { describe, expect, test } from 'vitest';
import { mergeFields, mergeRequest, resultLines } from './merge-choices';
import { storedPatient } from './stored-patient.fixture';

const target = storedPatient();
const source = storedPatient({
  id: '0b8e6c8e-0000-4000-8000-000000000002',
  mrn: 'MRN-000456',
  name: 'Janet Doe-Smith',
  familyName: 'Doe-Smith',
  givenNames: ['Janet'],
  phone: '+44 20 7946 0000',
  email: 'janet@example.org',
  registeredDate: '2025-03-01',
  version: 1,
});

describe('mergeRequest', () => {
  test("with nothing chosen, the result is the kept record's values, at the versions seen", () => {
    expect(mergeRequest(target, source, {}, { preview: true })).toEqual({
      sourceId: source.id,
      targetId: target.id,
      sourceVersion: 1,
      targetVersion: 3,
      preview: true,
      result: {
        name: 'Jane Doe',
        givenNames: ['Jane'],
        familyName: 'Doe',
        gender: 'female',
        phone: null,
        email: 'jane@example.org',
        address: '1 Street',
        dateOfBirth: '1985-06-15',
        registeredDate: '2026-01-05',
      },
    });
  });

  test("a field chosen from the merged record takes its value; the given and family names go together", () => {
    const request = mergeRequest(target, source, { email: source.id, phone: source.id, givenAndFamily: source.id, registeredDate: source.id, name: target.id }, { preview: false });
    expect(request.preview).toBe(false);
    expect(request.result).toMatchObject({
      name: 'Jane Doe',
      givenNames: ['Janet'],
      familyName: 'Doe-Smith',
      phone: '+44 20 7946 0000',
      email: 'janet@example.org',
      registeredDate: '2025-03-01',
    });
    // Identifiers are the API's to join: the target keeps its own and gains the source's.
    expect(request.result).not.toHaveProperty('identifiers');
  });
});

describe('how the records and the result read', () => {
  test('empty values read as a dash', () => {
    const phone = mergeFields.find(({ field }) => field === 'phone')!;
    expect(phone.value(target)).toBe('—');
    expect(mergeFields.find(({ field }) => field === 'givenAndFamily')!.value(storedPatient({ givenNames: [], familyName: null }))).toBe('— · —');
  });

  test("each line of the result says which record it came from", () => {
    const origins = { name: 'target', email: 'source', phone: 'both', address: 'new', identifiers: 'both' } as const;
    const from = Object.fromEntries(resultLines.map((line) => [line.label, line.from(origins)]));
    expect(from).toMatchObject({
      MRN: 'Kept record',
      Name: 'Kept record',
      Email: 'Merged record',
      Phone: 'Both records (the same)',
      Address: 'Neither (new)',
      'External identifiers': 'Both records',
    });
  });
});
