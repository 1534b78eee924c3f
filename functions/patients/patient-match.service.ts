/**
 * Finding the records that may be the same person as a probe (issue 21): candidates from indexed blocking keys
 * (patient-match.repository.ts), graded by patient-match.ts, the few ranked read in full. `$match`, our matches route
 * and the duplicate report's scans all come here.
 */
import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../audit/audit.repository.js';
import type { Database } from '../shared/db.schema.js';
import { toPatient, type Patient, type PatientInput, type PatientRow } from './patient.table.js';
import * as matchRepo from './patient-match.repository.js';
import { birthDateVariants, scoreCandidate, type Contribution, type MatchGrade } from './patient-match.js';
import { completeInput, type Caller } from './patients.service.js';

/** A record that may be the same person as the one matched, how likely, and why. */
export interface PatientMatch {
  patient: Patient;
  score: number;
  grade: MatchGrade;
  contributions: Contribution[];
}

/** A candidate graded as asked, by id: the records themselves are read only for the few ranked (readMatches). */
type RankedMatch = Omit<PatientMatch, 'patient'> & { id: string };

/** The candidates of the grades asked for, best first, at most `count`. */
async function rankMatches(
  db: Kysely<Database> | Transaction<Database>,
  probe: PatientInput,
  options: { count: number; grades: readonly MatchGrade[]; excludeId?: string },
): Promise<RankedMatch[]> {
  const values = completeInput(probe);
  const candidates = await matchRepo.matchCandidates(db, {
    familyName: values.familyName,
    givenName: values.givenNames[0] ?? null,
    dateOfBirth: values.dateOfBirth,
    birthDates: birthDateVariants(values.dateOfBirth),
    email: values.email || null,
    phone: values.phone,
    address: values.address || null,
    gender: values.gender,
    identifiers: values.identifiers.map((identifier) => ({ system: identifier.system ?? '', value: identifier.value })),
    excludeId: options.excludeId,
  });
  const names = {
    given: values.givenNames[0] ?? null,
    family: values.familyName,
    gender: values.gender,
    dateOfBirth: values.dateOfBirth,
    hasEmail: Boolean(values.email),
    hasPhone: Boolean(values.phone),
    hasAddress: Boolean(values.address),
  };
  return candidates
    .map((candidate) => ({ id: candidate.row.id, ...scoreCandidate(names, candidate) }))
    .filter((match) => options.grades.includes(match.grade))
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
    .slice(0, options.count);
}

/** The ranked matches with their records, in rank order; one deleted since it was measured is left out. */
function withRecords(ranked: RankedMatch[], rows: PatientRow[]): PatientMatch[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ranked.flatMap(({ id, ...score }) => {
    const row = byId.get(id);
    return row ? [{ patient: toPatient(row), ...score }] : [];
  });
}

/**
 * The live patients that may be the same person as `probe` (a record about to be registered, or an existing one:
 * `excludeId`), best first, of the grades asked for. Reads no record on anyone's behalf, so it records nothing: the
 * caller audits what it shows (matchPatients), or shows nothing (the duplicate report's scan).
 */
export async function findMatches(
  db: Kysely<Database> | Transaction<Database>,
  probe: PatientInput,
  options: { count: number; grades: readonly MatchGrade[]; excludeId?: string },
): Promise<PatientMatch[]> {
  const ranked = await rankMatches(db, probe, options);
  return withRecords(ranked, ranked.length > 0 ? await matchRepo.readMatches(db, ranked.map((match) => match.id)) : []);
}

/**
 * The live patients that may be the same person as `probe` (a record about to be registered, or an existing one:
 * `excludeId`), best first, `possible` and above (or `certain` only). Each one returned counts as read.
 */
export async function matchPatients(
  db: Kysely<Database>,
  caller: Caller,
  probe: PatientInput,
  options: { count: number; onlyCertain: boolean; excludeId?: string },
): Promise<PatientMatch[]> {
  const grades: MatchGrade[] = options.onlyCertain ? ['certain'] : ['certain', 'probable', 'possible'];
  const ranked = await rankMatches(db, probe, { count: options.count, grades, excludeId: options.excludeId });
  // The matches' records are read and recorded as read by one statement.
  const rows = ranked.length > 0 ? await matchRepo.readMatches(db, ranked.map((match) => match.id), { ...caller, action: 'list' }) : [];
  if (rows.length === 0) await recordAudit(db, [{ ...caller, action: 'list', patientId: null, outcome: 'success' }]);
  return withRecords(ranked, rows);
}
