/**
 * What the patient form holds (text as the user types it) and the request body it becomes. Kept apart from the
 * form component so the rules are plain functions with tests: empty text is "not given" (`null`, `[]`), given
 * names are one field of space-separated words, and a new patient's display name may be left to be made from
 * the given and family names.
 */
import type { Gender, Patient, PatientBody } from './queries';

export interface PatientFormValues {
  name: string;
  familyName: string;
  /** Space-separated, in order. */
  givenNames: string;
  gender: Gender | '';
  phone: string;
  email: string;
  address: string;
  dateOfBirth: string;
  registeredDate: string;
  identifiers: { system: string; value: string }[];
}

/** The form's fields, as its paths: where formErrors may put a message (`identifiers.*` is one row). */
export const patientFieldNames = [
  'name',
  'familyName',
  'givenNames',
  'gender',
  'phone',
  'email',
  'address',
  'dateOfBirth',
  'registeredDate',
  'identifiers',
  'identifiers.*',
  'identifiers.*.system',
  'identifiers.*.value',
] as const;

/** A 409 goes on the field its code is about. */
export const patientConflictFields = { 'email-taken': 'email', 'identifier-taken': 'identifiers' } as const;

export const genderLabels: Record<Gender, string> = { female: 'Female', male: 'Male', other: 'Other', unknown: 'Unknown' };

export const emptyIdentifier = () => ({ system: '', value: '' });

export function emptyPatientForm(registeredDate: string): PatientFormValues {
  return {
    name: '',
    familyName: '',
    givenNames: '',
    gender: '',
    phone: '',
    email: '',
    address: '',
    dateOfBirth: '',
    registeredDate,
    identifiers: [],
  };
}

export function patientFormValues(patient: Patient): PatientFormValues {
  return {
    name: patient.name,
    familyName: patient.familyName ?? '',
    givenNames: patient.givenNames.join(' '),
    gender: patient.gender ?? '',
    phone: patient.phone ?? '',
    email: patient.email,
    address: patient.address,
    dateOfBirth: patient.dateOfBirth,
    registeredDate: patient.registeredDate,
    identifiers: patient.identifiers.map((identifier) => ({ system: identifier.system ?? '', value: identifier.value })),
  };
}

const words = (text: string) => text.trim().split(/\s+/).filter(Boolean);

/** "Jane Mary" + "Doe" → "Jane Mary Doe": the display name of someone whose names were typed but not it. */
export function displayName(values: Pick<PatientFormValues, 'givenNames' | 'familyName'>): string {
  return [...words(values.givenNames), ...words(values.familyName)].join(' ');
}

/**
 * The body of a create or an update. Every field is sent, so an update says what the record is now (`null` and
 * `[]` clear). Two exceptions, on a new patient only: an empty display name is made from the given and family
 * names, and when those are both empty they are not sent, so the API takes them from the display name.
 */
export function patientBody(values: PatientFormValues, { isNew }: { isNew: boolean }): PatientBody {
  const familyName = values.familyName.trim() || null;
  const givenNames = words(values.givenNames);
  const structuredName = isNew && familyName === null && givenNames.length === 0 ? {} : { familyName, givenNames };
  return {
    name: isNew && values.name.trim() === '' ? displayName(values) : values.name,
    ...structuredName,
    gender: values.gender || null,
    phone: values.phone.trim() || null,
    email: values.email,
    address: values.address,
    dateOfBirth: values.dateOfBirth,
    registeredDate: values.registeredDate,
    // An empty system is "issued by no one we can name"; the value is sent as typed, so an empty one is refused on its field.
    identifiers: values.identifiers.map(({ system, value }) => (system.trim() ? { system: system.trim(), value } : { value })),
  };
}

/** What a record says, field by field (an empty field as "—"), to read rather than edit. */
export function recordRows(patient: Patient): [label: string, value: string][] {
  const identifiers = patient.identifiers.map(({ system, value }) => (system ? `${value} (${system})` : value));
  const rows: [label: string, value: string][] = [
    ['Name', patient.name],
    ['Given names', patient.givenNames.join(' ')],
    ['Family name', patient.familyName ?? ''],
    ['Email', patient.email],
    ['Address', patient.address],
    ['Date of birth', patient.dateOfBirth],
    ['Gender', patient.gender ? genderLabels[patient.gender] : ''],
    ['Phone', patient.phone ?? ''],
    ['External identifiers', identifiers.join(', ')],
  ];
  return rows.map(([label, value]) => [label, value || '—']);
}
