import type { ColumnType, Generated, Selectable } from 'kysely';

export interface PatientTable {
  id: Generated<string>;
  seq: ColumnType<number, never, never>;
  name: string;
  email: string;
  address: string;
  /** 'YYYY-MM-DD' */
  date_of_birth: string;
  /** 'YYYY-MM-DD' */
  registered_date: string;
  version: Generated<number>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
  deleted_at: ColumnType<Date | null, never, Date>;
}

export type PatientRow = Selectable<PatientTable>;

/** The patient as the API shows it (openapi.yaml `Patient`). */
export interface Patient {
  id: string;
  name: string;
  email: string;
  address: string;
  dateOfBirth: string;
  registeredDate: string;
  createdAt: string;
  updatedAt: string;
}

export interface PatientInput {
  name: string;
  email: string;
  address: string;
  dateOfBirth: string;
  registeredDate?: string;
}

export function toPatient(row: PatientRow): Patient {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    address: row.address,
    dateOfBirth: row.date_of_birth,
    registeredDate: row.registered_date,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export const etagOf = (row: Pick<PatientRow, 'version'>) => `"v${row.version}"`;
