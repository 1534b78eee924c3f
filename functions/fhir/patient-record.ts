/**
 * Our patient as the service layer returns and takes it, with the fields FHIR needs. Provisional: these move into
 * functions/patients/patient.table.ts when the service grows them; until then the FHIR modules read them from here.
 */
export const GENDERS = ['male', 'female', 'other', 'unknown'] as const;
export type Gender = (typeof GENDERS)[number];

/** An external identifier (a lab's id, a national id); the MRN is kept apart. */
export interface Identifier {
  system?: string;
  value: string;
}

/** What the service returns. */
export interface Patient {
  id: string;
  /** e.g. 'MRN-000123', assigned by the system. */
  mrn: string;
  /** Display name, e.g. 'Anna María García'. */
  name: string;
  familyName: string | null;
  givenNames: string[];
  gender: Gender | null;
  phone: string | null;
  email: string;
  /** One free text; may span lines. */
  address: string;
  /** 'YYYY-MM-DD' */
  dateOfBirth: string;
  /** 'YYYY-MM-DD' */
  registeredDate: string;
  /** External only (the MRN is separate). */
  identifiers: Identifier[];
  version: number;
  /** ISO timestamps. */
  createdAt: string;
  updatedAt: string;
}

/** What create and update take. */
export interface PatientInput {
  name: string;
  familyName: string | null;
  givenNames: string[];
  gender: Gender | null;
  phone: string | null;
  email: string;
  address: string;
  dateOfBirth: string;
  registeredDate?: string;
  identifiers: Identifier[];
}
