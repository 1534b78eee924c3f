/**
 * "Possible duplicates" on registration, the plain part: when the form says enough to look for the same person
 * already registered (a real birth date and a name), what is sent (what Save would send, without the empty
 * fields), and how the API's reasons read in words. A likely duplicate never blocks Save; it is only shown.
 */
import { patientBody, type PatientFormValues } from './patient-fields';
import type { PatientMatch, PatientMatchRequest } from './queries';

/** Enough to show on a registration form: the best few, not a search. */
const CANDIDATES_SHOWN = 5;

/** YYYY-MM-DD naming a day that exists (not 1985-02-30), from year 0001. */
export function isCalendarDate(text: string): boolean {
  const parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!parts) return false;
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * The matches request for what is typed, or `null` while there is not yet a birth date and a name to look for.
 * It is built from the body Save would send, so it looks for the patient as they would be registered; empty
 * fields and half-typed identifier rows are left out (they neither agree nor disagree).
 */
export function matchRequest(values: PatientFormValues): PatientMatchRequest | null {
  const dateOfBirth = values.dateOfBirth.trim();
  const body = patientBody({ ...values, dateOfBirth }, { isNew: true });
  const name = body.name.trim();
  if (!isCalendarDate(dateOfBirth) || name === '') return null;
  const email = body.email.trim();
  const address = body.address.trim();
  const identifiers = (body.identifiers ?? []).filter((identifier) => identifier.value.trim() !== '' && !/\s/.test(identifier.system ?? ''));
  return {
    patient: {
      name,
      ...(body.familyName ? { familyName: body.familyName } : {}),
      ...(body.givenNames?.length ? { givenNames: body.givenNames } : {}),
      ...(body.gender ? { gender: body.gender } : {}),
      ...(body.phone ? { phone: body.phone } : {}),
      ...(email ? { email } : {}),
      ...(address ? { address } : {}),
      dateOfBirth,
      ...(identifiers.length ? { identifiers } : {}),
    },
    count: CANDIDATES_SHOWN,
    onlyCertain: false,
  };
}

export type Grade = PatientMatch['grade'];
export type Contribution = PatientMatch['contributions'][number];

export const gradeWords: Record<Grade, string> = { certain: 'Certain match', probable: 'Probable match', possible: 'Possible match' };

const fieldWords: Record<Contribution['field'], string> = {
  identifier: 'identifier',
  name: 'name',
  birthDate: 'birth date',
  email: 'email',
  phone: 'phone',
  address: 'address',
  gender: 'gender',
};

/** The agreement levels of patient-match.ts (functions/patients), as a person would say them. */
const agreementWords: Record<string, string> = {
  'shared identifier': 'same identifier',
  'given and family swapped': 'given and family names swapped',
  exact: 'same',
  same: 'same',
  similar: 'similar',
  different: 'different',
  typo: 'typo',
  'sounds alike': 'sounds alike',
  nickname: 'nickname',
  initial: 'initial only',
  transposed: 'day and month swapped',
  oneDigitOff: 'one digit different',
  conflicting: 'conflicting',
};

/**
 * One reason in words: "family name: typo", "birth date: day and month swapped", "same identifier". A level this
 * console does not know yet is shown as the API says it rather than hidden.
 */
export function contributionWords({ field, agreement }: Contribution): string {
  if (field === 'identifier' || agreement === 'given and family swapped') return agreementWords[agreement] ?? `${fieldWords[field]}: ${agreement}`;
  // Names come as "family typo", "given nickname": which name, then how it compares.
  const name = field === 'name' ? /^(family|given) (.+)$/.exec(agreement) : null;
  const [label, level] = name ? [`${name[1]} name`, name[2]!] : [fieldWords[field] ?? field, agreement];
  return `${label}: ${agreementWords[level] ?? level}`;
}

/** Why a candidate is shown (what agrees) and what speaks against it (what differs), in the API's order. */
export function matchReasons(contributions: readonly Contribution[]): { agrees: string[]; differs: string[] } {
  return {
    agrees: contributions.filter((contribution) => contribution.weight > 0).map(contributionWords),
    differs: contributions.filter((contribution) => contribution.weight <= 0).map(contributionWords),
  };
}
