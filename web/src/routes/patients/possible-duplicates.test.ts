import { describe, expect, test } from 'vitest';
import { emptyPatientForm, type PatientFormValues } from './patient-fields';
import { contributionWords, isCalendarDate, matchReasons, matchRequest } from './possible-duplicates';

const typed = (overrides: Partial<PatientFormValues> = {}): PatientFormValues => ({
  ...emptyPatientForm('2026-01-05'),
  givenNames: 'Jane',
  familyName: 'Doe',
  dateOfBirth: '1985-06-15',
  ...overrides,
});

describe('isCalendarDate', () => {
  test('takes a day that exists, written YYYY-MM-DD', () => {
    expect(isCalendarDate('1985-06-15')).toBe(true);
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('0001-01-01')).toBe(true);
  });
  test('refuses half-typed dates, days that do not exist and year 0', () => {
    for (const text of ['1985-06-1', '1985-6-15', '15/06/1985', '1985-02-30', '2023-02-29', '1985-13-01', '0000-01-01', '']) {
      expect(isCalendarDate(text), text).toBe(false);
    }
  });
});

describe('matchRequest', () => {
  test('asks nothing until there is a real birth date', () => {
    expect(matchRequest(typed({ dateOfBirth: '' }))).toBeNull();
    expect(matchRequest(typed({ dateOfBirth: '1985-06-1' }))).toBeNull();
    expect(matchRequest(typed({ dateOfBirth: '1985-02-30' }))).toBeNull();
  });

  test('asks nothing until there is a name of some kind', () => {
    expect(matchRequest(typed({ givenNames: ' ', familyName: '' }))).toBeNull();
  });

  test('a display name alone is enough, and is sent alone so the API reads the names from it', () => {
    expect(matchRequest(typed({ name: 'Jane Doe', givenNames: '', familyName: '' }))?.patient).toEqual({
      name: 'Jane Doe',
      dateOfBirth: '1985-06-15',
    });
  });

  test('given and family names alone are enough, the display name made from them as Save would', () => {
    expect(matchRequest(typed({ givenNames: 'Jane  Mary' }))).toEqual({
      patient: { name: 'Jane Mary Doe', familyName: 'Doe', givenNames: ['Jane', 'Mary'], dateOfBirth: '1985-06-15' },
      count: 5,
      onlyCertain: false,
    });
  });

  test('sends what else is typed and leaves out empty fields and identifier rows without a value', () => {
    const request = matchRequest(
      typed({
        gender: 'female',
        phone: ' +44 20 7946 0000 ',
        email: ' jane@example.org ',
        address: '1 Street',
        dateOfBirth: ' 1985-06-15 ',
        identifiers: [
          { system: ' urn:example:clinic ', value: 'A-1' },
          { system: 'urn:example:clinic', value: '  ' },
          { system: '', value: 'B-2' },
        ],
      }),
    );
    expect(request?.patient).toEqual({
      name: 'Jane Doe',
      familyName: 'Doe',
      givenNames: ['Jane'],
      gender: 'female',
      phone: '+44 20 7946 0000',
      email: 'jane@example.org',
      address: '1 Street',
      dateOfBirth: '1985-06-15',
      identifiers: [{ system: 'urn:example:clinic', value: 'A-1' }, { value: 'B-2' }],
    });
  });

  test('the same typing asks the same question', () => {
    expect(JSON.stringify(matchRequest(typed()))).toBe(JSON.stringify(matchRequest(typed())));
  });
});

describe('contributionWords', () => {
  test('says which name and how it compares', () => {
    expect(contributionWords({ field: 'name', agreement: 'family typo', weight: 5 })).toBe('family name: typo');
    expect(contributionWords({ field: 'name', agreement: 'given nickname', weight: 5 })).toBe('given name: nickname');
    expect(contributionWords({ field: 'name', agreement: 'family sounds alike', weight: 4.5 })).toBe('family name: sounds alike');
    expect(contributionWords({ field: 'name', agreement: 'given exact', weight: 6.5 })).toBe('given name: same');
    expect(contributionWords({ field: 'name', agreement: 'given initial', weight: 2 })).toBe('given name: initial only');
    expect(contributionWords({ field: 'name', agreement: 'given and family swapped', weight: 12 })).toBe('given and family names swapped');
  });

  test('says how the birth date differs', () => {
    expect(contributionWords({ field: 'birthDate', agreement: 'exact', weight: 14 })).toBe('birth date: same');
    expect(contributionWords({ field: 'birthDate', agreement: 'transposed', weight: 8.5 })).toBe('birth date: day and month swapped');
    expect(contributionWords({ field: 'birthDate', agreement: 'oneDigitOff', weight: 5.5 })).toBe('birth date: one digit different');
  });

  test('a shared identifier and the contact fields in plain words', () => {
    expect(contributionWords({ field: 'identifier', agreement: 'shared identifier', weight: 28 })).toBe('same identifier');
    expect(contributionWords({ field: 'email', agreement: 'different', weight: -1 })).toBe('email: different');
    expect(contributionWords({ field: 'address', agreement: 'similar', weight: 3 })).toBe('address: similar');
    expect(contributionWords({ field: 'gender', agreement: 'conflicting', weight: -6 })).toBe('gender: conflicting');
  });

  test('a level the console does not know yet is shown as the API says it', () => {
    expect(contributionWords({ field: 'phone', agreement: 'same last digits', weight: 1 })).toBe('phone: same last digits');
    expect(contributionWords({ field: 'name', agreement: 'middle typo', weight: 1 })).toBe('name: middle typo');
  });
});

describe('matchReasons', () => {
  test('separates what agrees from what differs, keeping the order given', () => {
    expect(
      matchReasons([
        { field: 'name', agreement: 'family typo', weight: 5 },
        { field: 'name', agreement: 'given exact', weight: 6.5 },
        { field: 'birthDate', agreement: 'exact', weight: 14 },
        { field: 'email', agreement: 'different', weight: -1 },
      ]),
    ).toEqual({ agrees: ['family name: typo', 'given name: same', 'birth date: same'], differs: ['email: different'] });
  });
});
