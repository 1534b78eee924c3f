import type { ColumnType, Generated, Selectable } from 'kysely';

export const GENDERS = ['male', 'female', 'other', 'unknown'] as const;
/** FHIR's administrative gender. */
export type Gender = (typeof GENDERS)[number];

/** An identifier another system gave the patient (a lab's id, a national id); `system` absent when it has none. */
export interface Identifier {
  system?: string;
  value: string;
}

export interface PatientTable {
  id: Generated<string>;
  seq: ColumnType<number, never, never>;
  /** Medical record number, assigned on insert from a sequence (`MRN-000123`); never reused. */
  mrn: ColumnType<string, never, never>;
  /** The display name. */
  name: string;
  family: string | null;
  given: string[];
  gender: Gender | null;
  phone: string | null;
  email: string;
  address: string;
  /** 'YYYY-MM-DD' */
  date_of_birth: string;
  /** 'YYYY-MM-DD' */
  registered_date: string;
  /** External identifiers as the record states them (indexed, with the MRN, in patient_identifiers). */
  identifiers: ColumnType<Identifier[], string, string>;
  version: Generated<number>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
  /** When the record left the live set: deleted, or merged (then `merged_into` is set). */
  deleted_at: ColumnType<Date | null, never, Date | null>;
  /** The patient this one was merged into (issue 21); null unless merged. */
  merged_into: ColumnType<string | null, never, string | null>;
  /** The patients merged into this one. */
  merged_from: ColumnType<string[], never, string[]>;
  /** MRNs of the patients merged into this one: they still find it. */
  former_mrns: ColumnType<string[], never, string[]>;
  // Generated columns the name, family and phone searches use.
  family_folded: ColumnType<string, never, never>;
  name_words_folded: ColumnType<string, never, never>;
  phone_digits: ColumnType<string | null, never, never>;
}

/** (system, value) pairs of live patients (MRN included): unique among live patients. */
export interface PatientIdentifierTable {
  patient_id: string;
  /** '' for an identifier without a system. */
  system: string;
  value: string;
  live: Generated<boolean>;
}

/** Each live patient's folded name words, for name prefix searches in creation order (see its migration). */
export interface PatientNameWordTable {
  word: string;
  part: 'family' | 'given' | 'text';
  seq: number;
  patient_id: string;
}

export type VersionAction = 'create' | 'update' | 'delete' | 'migrate' | 'merge' | 'unmerge';

/** One merge of a source patient into a target (see migrations/2026-12-07T0004). */
export interface PatientMergeTable {
  id: string;
  source_id: string;
  target_id: string;
  source_version_before: number;
  target_version_before: number;
  source_version_after: number;
  target_version_after: number;
  /** The patient_identifiers pairs moved from the source to the target. */
  moved_identifiers: ColumnType<{ system: string; value: string }[], string, never>;
  /** Which record each field of the result came from: 'target', 'source' (both when equal) or 'new'. */
  fields: ColumnType<Record<string, MergeFieldOrigin>, string, never>;
  actor_sub: string;
  merged_at: ColumnType<Date, never, never>;
  unmerged_at: ColumnType<Date | null, never, Date>;
  unmerged_by: string | null;
}

export type MergeFieldOrigin = 'target' | 'source' | 'both' | 'new';

/** Every version of every record as it was written, the current one included. */
export interface PatientVersionTable {
  patient_id: string;
  version: number;
  recorded_at: Generated<Date>;
  actor_sub: string;
  action: VersionAction;
  /** The patients row of that version (to_jsonb, without seq and the generated search columns). */
  record: ColumnType<PatientRecordJson, string, never>;
}

export type PatientRow = Selectable<PatientTable>;

/** A patients row as stored in patient_versions.record (JSON: dates and timestamps as text). */
export type PatientRecordJson = Omit<PatientRow, 'seq' | 'created_at' | 'updated_at' | 'deleted_at' | 'family_folded' | 'name_words_folded' | 'phone_digits' | 'merged_into' | 'merged_from' | 'former_mrns'> & {
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  // Absent from the versions written before merging existed (migration 2026-12-07T0004).
  merged_into?: string | null;
  merged_from?: string[];
  former_mrns?: string[];
};

/** The patient as the API shows it (openapi.yaml `Patient`). */
export interface Patient {
  id: string;
  mrn: string;
  name: string;
  familyName: string | null;
  givenNames: string[];
  gender: Gender | null;
  phone: string | null;
  email: string;
  address: string;
  dateOfBirth: string;
  registeredDate: string;
  identifiers: Identifier[];
  version: number;
  createdAt: string;
  updatedAt: string;
  /** False once merged into another patient (`mergedInto`). */
  active: boolean;
  mergedInto: string | null;
  /** The patients merged into this one. */
  replaces: string[];
  /** The MRNs of the patients merged into this one; each still finds this record. */
  formerMrns: string[];
}

/** A record as a client writes it. Absent structured fields: see patients.service.ts `completeInput`. */
export interface PatientInput {
  name: string;
  familyName?: string | null;
  givenNames?: string[];
  gender?: Gender | null;
  phone?: string | null;
  email: string;
  address: string;
  dateOfBirth: string;
  registeredDate?: string;
  identifiers?: Identifier[];
}

/** Every field of a record, as the service writes it. */
export type PatientValues = Required<Omit<PatientInput, 'registeredDate'>> & { registeredDate: string };

export function toPatient(row: PatientRow | PatientRecordJson): Patient {
  const timestamp = (value: Date | string) => (typeof value === 'string' ? new Date(value) : value).toISOString();
  return {
    id: row.id,
    mrn: row.mrn,
    name: row.name,
    familyName: row.family,
    givenNames: row.given,
    gender: row.gender,
    phone: row.phone,
    email: row.email,
    address: row.address,
    dateOfBirth: row.date_of_birth,
    registeredDate: row.registered_date,
    identifiers: row.identifiers,
    version: row.version,
    createdAt: timestamp(row.created_at),
    updatedAt: timestamp(row.updated_at),
    active: !row.merged_into,
    mergedInto: row.merged_into ?? null,
    replaces: row.merged_from ?? [],
    formerMrns: row.former_mrns ?? [],
  };
}

export const etagOf = (row: Pick<PatientRow, 'version'>) => `"v${row.version}"`;
