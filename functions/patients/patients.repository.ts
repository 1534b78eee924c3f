/** SQL for patient records. Only live (not soft-deleted) rows are visible. Takes a Kysely or a Transaction. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../shared/db.schema.js';
import type { PatientInput } from './patient.table.js';

type Db = Kysely<Database> | Transaction<Database>;

export function insertPatient(db: Db, input: Required<PatientInput>) {
  return db
    .insertInto('patients')
    .values({
      name: input.name,
      email: input.email,
      address: input.address,
      date_of_birth: input.dateOfBirth,
      registered_date: input.registeredDate,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findLivePatient(db: Db, id: string, options: { lock?: boolean } = {}) {
  const query = db.selectFrom('patients').selectAll().where('id', '=', id).where('deleted_at', 'is', null);
  return (options.lock ? query.forUpdate() : query).executeTakeFirst();
}

export function updatePatient(db: Db, id: string, input: PatientInput) {
  return db
    .updateTable('patients')
    .set((eb) => ({
      name: input.name,
      email: input.email,
      address: input.address,
      date_of_birth: input.dateOfBirth,
      updated_at: sql<Date>`now()`,
      version: eb('version', '+', 1),
    }))
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function softDeletePatient(db: Db, id: string) {
  return db
    .updateTable('patients')
    .set((eb) => ({ deleted_at: sql<Date>`now()`, updated_at: sql<Date>`now()`, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returning(['id', 'version'])
    .executeTakeFirstOrThrow();
}

export interface PatientSearch {
  name?: string;
  email?: string;
  birthdate?: string;
  /** Return rows after this position (exclusive). */
  afterSeq?: number;
  limit: number;
}

export function searchPatients(db: Db, search: PatientSearch) {
  let query = db.selectFrom('patients').selectAll().where('deleted_at', 'is', null);
  if (search.name) query = query.where('name', 'ilike', `%${escapeLike(search.name)}%`);
  if (search.email) query = query.where(sql<string>`lower(email)`, '=', search.email.toLowerCase());
  if (search.birthdate) query = query.where('date_of_birth', '=', search.birthdate);
  if (search.afterSeq !== undefined) query = query.where('seq', '>', search.afterSeq);
  return query.orderBy('seq').limit(search.limit).execute();
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}
