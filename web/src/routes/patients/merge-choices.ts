/**
 * Merging two records, the plain part: the fields a user chooses between, the result they make (what the merge
 * request sends), and how the API's field origins read. A field the user has not chosen follows the record kept,
 * as the API does with a field the result leaves out.
 */
import { genderLabels } from './patient-fields';
import type { MergeOrigin, Patient, PatientMergeRequest } from './queries';

/** What the user chooses, one value a line; the given and family names go together (one person's name). */
export type MergeField = 'name' | 'givenAndFamily' | 'gender' | 'phone' | 'email' | 'address' | 'dateOfBirth' | 'registeredDate';

/** For each field chosen, the id of the record whose value the result takes. */
export type MergeChoices = Partial<Record<MergeField, string>>;

const shown = (text: string | null | undefined) => (text ? text : '—');

export const mergeFields: readonly { field: MergeField; label: string; value: (patient: Patient) => string }[] = [
  { field: 'name', label: 'Name', value: (patient) => patient.name },
  {
    field: 'givenAndFamily',
    label: 'Given and family names',
    value: (patient) => `${shown(patient.givenNames.join(' '))} · ${shown(patient.familyName)}`,
  },
  { field: 'gender', label: 'Gender', value: (patient) => (patient.gender ? genderLabels[patient.gender] : '—') },
  { field: 'phone', label: 'Phone', value: (patient) => shown(patient.phone) },
  { field: 'email', label: 'Email', value: (patient) => patient.email },
  { field: 'address', label: 'Address', value: (patient) => patient.address },
  { field: 'dateOfBirth', label: 'Date of birth', value: (patient) => patient.dateOfBirth },
  { field: 'registeredDate', label: 'Registered date', value: (patient) => patient.registeredDate },
];

/** Which record a field's value comes from: the one chosen, else the record kept. */
export function chosenRecord(field: MergeField, choices: MergeChoices, target: Patient, source: Patient): Patient {
  return choices[field] === source.id ? source : target;
}

/**
 * The merge request for the user's choices: `source` merged into `target`, at the versions the user saw (a record
 * changed since is refused, 412). The identifiers are left out: the target keeps its own and gains the source's.
 */
export function mergeRequest(target: Patient, source: Patient, choices: MergeChoices, { preview }: { preview: boolean }): PatientMergeRequest {
  const from = (field: MergeField) => chosenRecord(field, choices, target, source);
  const names = from('givenAndFamily');
  return {
    sourceId: source.id,
    targetId: target.id,
    sourceVersion: source.version,
    targetVersion: target.version,
    preview,
    result: {
      name: from('name').name,
      givenNames: names.givenNames,
      familyName: names.familyName,
      gender: from('gender').gender,
      phone: from('phone').phone,
      email: from('email').email,
      address: from('address').address,
      dateOfBirth: from('dateOfBirth').dateOfBirth,
      registeredDate: from('registeredDate').registeredDate,
    },
  };
}

const originWords: Record<MergeOrigin, string> = { target: 'Kept record', source: 'Merged record', both: 'Both records (the same)', new: 'Neither (new)' };

/** Where the value of the API's `field` came from, in words. */
const fromField = (field: string) => (origins: Partial<Record<string, MergeOrigin>>) => {
  const origin = origins[field];
  return origin ? originWords[origin] : 'Kept record';
};

/** The lines of a merge's result, each with where it came from (`fields`: the API's origin of each field). */
export const resultLines: readonly { label: string; value: (patient: Patient) => string; from: (origins: Partial<Record<string, MergeOrigin>>) => string }[] = [
  { label: 'MRN', value: (patient) => patient.mrn, from: () => 'Kept record' },
  { label: 'Former MRNs', value: (patient) => shown(patient.formerMrns.join(', ')), from: () => "Adds the merged record's MRN" },
  { label: 'Name', value: (patient) => patient.name, from: fromField('name') },
  { label: 'Given names', value: (patient) => shown(patient.givenNames.join(' ')), from: fromField('givenNames') },
  { label: 'Family name', value: (patient) => shown(patient.familyName), from: fromField('familyName') },
  ...mergeFields
    .filter(({ field }) => field !== 'name' && field !== 'givenAndFamily')
    .map(({ field, label, value }) => ({ label, value, from: fromField(field) })),
  {
    label: 'External identifiers',
    value: (patient) => shown(patient.identifiers.map(({ system, value }) => (system ? `${value} (${system})` : value)).join(', ')),
    // The target keeps its identifiers and always gains the source's.
    from: (origins) => (origins.identifiers === 'target' ? 'Kept record' : 'Both records'),
  },
];

const fieldWords: Record<string, string> = {
  name: 'name',
  givenNames: 'given names',
  familyName: 'family name',
  gender: 'gender',
  phone: 'phone',
  email: 'email',
  address: 'address',
  dateOfBirth: 'date of birth',
  registeredDate: 'registered date',
  identifiers: 'identifiers',
};

/** "email, phone": the details a merge took from the merged record (a field this console does not know, as the API names it). */
export function takenFromSource(origins: Partial<Record<string, MergeOrigin>>): string {
  const taken = Object.entries(origins).filter(([, origin]) => origin === 'source').map(([field]) => fieldWords[field] ?? field);
  return taken.length > 0 ? taken.join(', ') : 'nothing';
}
