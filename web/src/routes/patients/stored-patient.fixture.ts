import type { Patient } from './queries';

/** A patient as the API returns one, for the console's unit tests; `overrides` make it another. */
export const storedPatient = (overrides: Partial<Patient> = {}): Patient => ({
  id: '0b8e6c8e-0000-4000-8000-000000000001',
  mrn: 'MRN-000123',
  name: 'Jane Doe',
  familyName: 'Doe',
  givenNames: ['Jane'],
  gender: 'female',
  phone: null,
  identifiers: [],
  version: 3,
  email: 'jane@example.org',
  address: '1 Street',
  dateOfBirth: '1985-06-15',
  registeredDate: '2026-01-05',
  createdAt: '2026-01-05T10:00:00Z',
  updatedAt: '2026-01-06T10:00:00Z',
  active: true,
  mergedInto: null,
  replaces: [],
  formerMrns: [],
  ...overrides,
});
