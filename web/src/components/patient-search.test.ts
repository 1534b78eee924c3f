import { describe, expect, test } from 'vitest';
import { patientQuery, resultCount } from './patient-search';

describe('patientQuery', () => {
  test('a date searches by birth date', () => {
    expect(patientQuery(' 1985-06-15 ')).toEqual({ birthdate: '1985-06-15' });
  });
  test('an MRN searches by MRN, whatever its case', () => {
    expect(patientQuery(' MRN-000123 ')).toEqual({ mrn: 'MRN-000123' });
    expect(patientQuery('mrn-000123')).toEqual({ mrn: 'mrn-000123' });
  });
  test('something only like an MRN searches by name', () => {
    expect(patientQuery('MRN-')).toEqual({ name: 'MRN-' });
    expect(patientQuery('MRN 000123')).toEqual({ name: 'MRN 000123' });
  });
  test('an email searches by email', () => {
    expect(patientQuery('jane.doe@example.org')).toEqual({ email: 'jane.doe@example.org' });
  });
  test('anything else searches by part of the name', () => {
    expect(patientQuery('Jane D')).toEqual({ name: 'Jane D' });
    expect(patientQuery('1985')).toEqual({ name: '1985' });
  });
  test('nothing lists everyone', () => {
    expect(patientQuery('   ')).toEqual({});
  });
});

describe('resultCount', () => {
  test('says how many are shown and whether there are more', () => {
    expect(resultCount(0, false)).toBe('No patients match.');
    expect(resultCount(1, false)).toBe('1 patient');
    expect(resultCount(25, true)).toBe('25+ patients');
    expect(resultCount(27, false)).toBe('27 patients');
  });
});
