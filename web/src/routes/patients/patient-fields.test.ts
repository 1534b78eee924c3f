import { describe, expect, test } from 'vitest';
import { emptyPatientForm, patientBody, patientFormValues, type PatientFormValues } from './patient-fields';
import { storedPatient } from './stored-patient.fixture';

const typed = (overrides: Partial<PatientFormValues> = {}): PatientFormValues => ({
  ...emptyPatientForm('2026-01-05'),
  name: 'Jane Doe',
  email: 'jane@example.org',
  address: '1 Street',
  dateOfBirth: '1985-06-15',
  ...overrides,
});

const stored = storedPatient({
  name: 'Jane Mary Doe',
  givenNames: ['Jane', 'Mary'],
  phone: '+44 20 7946 0000',
  identifiers: [{ system: 'urn:oid:2.16.840.1.113883.4.1', value: '123-45-6789' }, { value: 'A-1' }],
});

describe('patientFormValues', () => {
  test('shows a stored record as text, given names separated by spaces and missing values empty', () => {
    expect(patientFormValues({ ...stored, familyName: null, gender: null, phone: null })).toMatchObject({
      givenNames: 'Jane Mary',
      familyName: '',
      gender: '',
      phone: '',
      identifiers: [
        { system: 'urn:oid:2.16.840.1.113883.4.1', value: '123-45-6789' },
        { system: '', value: 'A-1' },
      ],
    });
  });

  test('an unchanged form sends the record back as it is', () => {
    const { name, familyName, givenNames, gender, phone, identifiers, email, address, dateOfBirth, registeredDate } = stored;
    expect(patientBody(patientFormValues(stored), { isNew: false })).toEqual({
      name,
      familyName,
      givenNames,
      gender,
      phone,
      identifiers,
      email,
      address,
      dateOfBirth,
      registeredDate,
    });
  });
});

describe('patientBody', () => {
  test('splits given names on spaces and trims the family name and phone', () => {
    expect(patientBody(typed({ givenNames: '  Jane   Mary ', familyName: ' Doe ', phone: ' 0123 456 ' }), { isNew: false })).toMatchObject({
      givenNames: ['Jane', 'Mary'],
      familyName: 'Doe',
      phone: '0123 456',
    });
  });

  test('a correction clears what the user emptied', () => {
    expect(patientBody(typed(), { isNew: false })).toMatchObject({ familyName: null, givenNames: [], gender: null, phone: null, identifiers: [] });
  });

  test('a new patient without given or family names leaves them to be taken from the name', () => {
    const body = patientBody(typed(), { isNew: true });
    expect(body).not.toHaveProperty('familyName');
    expect(body).not.toHaveProperty('givenNames');
  });

  test('a new patient without a display name gets one made from the given and family names', () => {
    expect(patientBody(typed({ name: ' ', givenNames: 'Jane Mary', familyName: 'Doe' }), { isNew: true })).toMatchObject({
      name: 'Jane Mary Doe',
      givenNames: ['Jane', 'Mary'],
      familyName: 'Doe',
    });
  });

  test('a display name the user typed is kept', () => {
    expect(patientBody(typed({ name: 'Dr Jane Doe', givenNames: 'Jane', familyName: 'Doe' }), { isNew: true }).name).toBe('Dr Jane Doe');
  });

  test('an identifier without a system is sent without one', () => {
    const identifiers = [
      { system: ' urn:example:clinic ', value: 'X-1' },
      { system: '', value: 'Y-2' },
    ];
    expect(patientBody(typed({ identifiers }), { isNew: false }).identifiers).toEqual([{ system: 'urn:example:clinic', value: 'X-1' }, { value: 'Y-2' }]);
  });

  test('a gender chosen is sent as its code', () => {
    expect(patientBody(typed({ gender: 'other' }), { isNew: true }).gender).toBe('other');
  });
});
