/**
 * What the identity corpus is made of: patient records as a client would send them, each with the ground truth
 * of whom it belongs to and how it was made. The kinds are listed here, once, for the generator, the confusion
 * table and the report.
 */
import type { PatientValues } from '../../../functions/patients/patient.table.js';
import type { Random } from './random.js';

/** How a duplicate differs from the person's first record (one record may carry several). */
export const DUPLICATE_KINDS = [
  'typo-family', 'typo-given', 'accent-dropped', 'names-swapped', 'initial', 'nickname', 'date-transposed',
  'date-digit', 'married-name', 'email-changed', 'phone-changed', 'address-changed', 'shared-identifier',
] as const;
export type DuplicateKind = (typeof DUPLICATE_KINDS)[number];

/** Different persons who look alike: the pairs a matcher must not call duplicates. */
export const LOOK_ALIKE_KINDS = ['twin', 'parent-child', 'spouse', 'common-name'] as const;
export type LookAlikeKind = (typeof LOOK_ALIKE_KINDS)[number];

/** A patient record as our API takes it (`PatientCreate`), with its ground truth. */
export interface CorpusRecord extends PatientValues {
  /** Records of the same person share it; different persons never do. */
  personId: number;
  /** How this record differs from the person's first record; empty for the first record itself. */
  changes: DuplicateKind[];
}

/** What the makers of records share: the random source, the corpus's "today" and what must stay unique. */
export interface CorpusContext {
  random: Random;
  /** 'YYYY-MM-DD': no birth or registration date after it (fixed, so the corpus does not age with the clock). */
  today: string;
  /** Emails already given out: live patients' emails are unique (case-insensitively), so a corpus's must be. */
  emails: Set<string>;
  /** Lab identifiers already given out, for the next one. */
  labIds: number;
}

/** A lab's identifier system; the bench seed uses the same, so corpus records look like seeded ones. */
export const LAB_SYSTEM = 'urn:oid:1.2.36.146.595.217.0.1';
export const NATIONAL_ID_SYSTEM = 'http://hl7.org/fhir/sid/us-ssn';

/** The display name the way the registration form builds it from the structured names. */
export function displayName(givenNames: readonly string[], familyName: string | null): string {
  return [...givenNames, familyName ?? ''].join(' ').trim();
}
