import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Contribution } from './patient-match.js';

/** A pair of patients the matcher grades probable or certain (migrations/2026-12-07T0005), `patient_a < patient_b`. */
export interface PatientDuplicateTable {
  /** The order pairs were found in: newest first is highest first. */
  id: Generated<number>;
  patient_a: string;
  patient_b: string;
  /** 0–1, as the matcher scored it. */
  score: number;
  grade: 'certain' | 'probable';
  /** Each field's agreement and weight: why the pair is here. */
  contributions: ColumnType<Contribution[], string, string>;
  found_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

export type DuplicateDecision = 'not-duplicate';

/** "Not a duplicate": the pair is never stored or shown again. */
export interface PatientDuplicateDecisionTable {
  patient_a: string;
  patient_b: string;
  decision: DuplicateDecision;
  actor_sub: string;
  decided_at: ColumnType<Date, never, never>;
}

export type PatientDuplicateRow = Selectable<PatientDuplicateTable>;
export type PatientDuplicateDecisionRow = Selectable<PatientDuplicateDecisionTable>;
