/**
 * SQL for finding likely duplicates: candidates from indexed blocking keys only (a shared identifier, the email, the
 * phone, the birth date or one of its likely mistypings), never a scan of every patient; for each candidate the
 * measures the scoring (patient-match.ts) weighs, computed by PostgreSQL's own fuzzystrmatch and pg_trgm. A probe
 * has a few hundred candidates and a handful of matches: candidates carry only what the scoring reads, and the
 * matches' whole records are read afterwards (readMatches), their reads recorded by the same statement.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../shared/db.schema.js';
import type { PatientRow } from './patient.table.js';
import { AUDIT_COLUMNS, auditedRead, type ReadAudit } from './patients.repository.js';

type Db = Kysely<Database> | Transaction<Database>;

/** The record candidates are compared with. */
export interface MatchProbe {
  familyName: string | null;
  givenName: string | null;
  dateOfBirth: string;
  /** The birth date and its likely mistypings (day and month swapped, one digit off). */
  birthDates: string[];
  email: string | null;
  phone: string | null;
  address: string | null;
  gender: string | null;
  identifiers: Array<{ system: string; value: string }>;
  /** Leave this patient out (matching a record against the others). */
  excludeId?: string;
}

/** What the scoring reads of a candidate's own record. */
export type CandidateRow = Pick<PatientRow, 'id' | 'date_of_birth' | 'gender' | 'phone'>;

/** A candidate with the measures of its agreement with the probe. */
export interface CandidateMeasures {
  row: CandidateRow;
  sharedIdentifier: boolean;
  familyDistance: number | null;
  familySoundsAlike: boolean;
  givenDistance: number | null;
  givenSoundsAlike: boolean;
  /** The candidate's first given name and family, folded: the probe's swapped (given ↔ family). */
  namesSwapped: boolean;
  candidateGiven: string;
  emailSame: boolean;
  phoneSame: boolean;
  addressSimilarity: number;
}

/** At most this many candidates are measured: a probe with a very common birth date is still bounded. */
const MAX_CANDIDATES = 500;

/** The columns the measures and the scoring read. */
const CANDIDATE_COLUMNS = sql.raw('p.id, p.date_of_birth, p.gender, p.phone, p.phone_digits, p.email, p.address, p.family_folded, p.given');

export async function matchCandidates(db: Db, probe: MatchProbe): Promise<CandidateMeasures[]> {
  const systems = probe.identifiers.map((identifier) => identifier.system);
  const values = probe.identifiers.map((identifier) => identifier.value);
  const phone = probe.phone?.replace(/\D/g, '') || null;
  const family = sql`coalesce(pm_fold(${probe.familyName}::text), '')`;
  const given = sql`coalesce(pm_fold(${probe.givenName}::text), '')`;
  const initials = sql`array[left(${family}, 1), left(${given}, 1)]`;
  const sharesIdentifier = sql`(system, value) in (select * from unnest(${systems}::text[], ${values}::text[]))`;
  // Only the blocking keys the probe has: a branch for a key it lacks finds nothing and still costs planning.
  const branches = [
    ...(probe.identifiers.length > 0 ? [sql`select ${CANDIDATE_COLUMNS} from patients p where p.deleted_at is null and p.id in (select patient_id from patient_identifiers where live and ${sharesIdentifier})`] : []),
    ...(probe.email ? [sql`select ${CANDIDATE_COLUMNS} from patients p where p.deleted_at is null and lower(p.email) = lower(${probe.email}::text)`] : []),
    ...(phone ? [sql`select ${CANDIDATE_COLUMNS} from patients p where p.deleted_at is null and p.phone_digits = ${phone}::text`] : []),
    // The exact birth date brings everyone born that day; a mistyped one only those whose family name or first
    // name word begins with one of the probe's initials (either way round): about a tenth of the rows to measure.
    // Each arm is a range of patients_live_match_block_idx, which holds those initials beside the birth date, so
    // only the rows kept are read from the table. Three statements in a UNION rather than one with three ORed arms:
    // the planner weighs every index for each arm of an OR, which took longer than running the query.
    sql`(select ${CANDIDATE_COLUMNS} from patients p where p.deleted_at is null and p.date_of_birth = ${probe.dateOfBirth}::date
        union select ${CANDIDATE_COLUMNS} from patients p where p.deleted_at is null
          and p.date_of_birth = any(${probe.birthDates}::date[]) and left(p.family_folded, 1) = any(${initials})
        union select ${CANDIDATE_COLUMNS} from patients p where p.deleted_at is null
          and p.date_of_birth = any(${probe.birthDates}::date[]) and substr(p.name_words_folded, 2, 1) = any(${initials})
        limit ${MAX_CANDIDATES})`,
  ];
  const { rows } = await sql<CandidateRow & {
    shared_identifier: boolean;
    family_distance: number | null;
    family_sounds_alike: boolean | null;
    given_distance: number | null;
    given_sounds_alike: boolean | null;
    names_swapped: boolean | null;
    candidate_given: string;
    email_same: boolean;
    phone_same: boolean;
    address_similarity: number | null;
  }>`
    with probe as (
      select f.family, f.given, dmetaphone(f.family) as family_sound, dmetaphone(f.given) as given_sound,
             lower(${probe.email}::text) as email, ${phone}::text as phone, pm_fold(${probe.address}::text) as address
      from (select ${family} as family, ${given} as given) f
    ),
    -- The columns measured, straight from each blocking key's index (no second visit by id); a record found twice
    -- counts once.
    candidate as (${sql.join(branches, sql` union all `)}),
    distinct_candidate as (select distinct on (id) * from candidate)
    select c.id, c.date_of_birth, c.gender, c.phone,
      ${probe.identifiers.length > 0 ? sql`exists (select from patient_identifiers i where i.patient_id = c.id and i.live and ${sharesIdentifier})` : sql`false`} as shared_identifier,
      levenshtein(c.family_folded, probe.family) as family_distance,
      dmetaphone(c.family_folded) = probe.family_sound as family_sounds_alike,
      levenshtein(g.given, probe.given) as given_distance,
      dmetaphone(g.given) = probe.given_sound as given_sounds_alike,
      (levenshtein(g.given, probe.family) <= 1 and levenshtein(c.family_folded, probe.given) <= 1) as names_swapped,
      g.given as candidate_given,
      coalesce(lower(c.email) = probe.email, false) as email_same,
      coalesce(c.phone_digits = probe.phone, false) as phone_same,
      similarity(pm_fold(c.address), probe.address) as address_similarity
    from distinct_candidate c
      cross join probe
      cross join lateral (select coalesce(pm_fold(c.given[1]), '') as given) g
    where c.id is distinct from ${probe.excludeId ?? null}::uuid
    limit ${MAX_CANDIDATES}`.execute(db);
  return rows.map((row) => ({
    row,
    sharedIdentifier: row.shared_identifier,
    familyDistance: row.family_distance,
    familySoundsAlike: row.family_sounds_alike ?? false,
    givenDistance: row.given_distance,
    givenSoundsAlike: row.given_sounds_alike ?? false,
    namesSwapped: row.names_swapped ?? false,
    candidateGiven: row.candidate_given,
    emailSame: row.email_same,
    phoneSame: row.phone_same,
    addressSimilarity: row.address_similarity ?? 0,
  }));
}

/**
 * The live records of the matches `ids` (a record deleted since it was measured is left out); with `audit`, each one
 * is recorded in the audit trail as read by the same statement.
 */
export async function readMatches(db: Db, ids: string[], audit?: ReadAudit): Promise<PatientRow[]> {
  const found = db.selectFrom('patients').selectAll().where(sql<boolean>`id = any(${ids}::uuid[])`).where('deleted_at', 'is', null);
  if (!audit) return found.execute();
  return db
    .with('found', () => found)
    .with('audited', (qb) =>
      qb
        .insertInto('audit_events')
        .columns(AUDIT_COLUMNS)
        .expression((eb) => eb.selectFrom('found').select((inner) => auditedRead(inner.ref('found.id'), audit))),
    )
    .selectFrom('found')
    .selectAll()
    .execute();
}
