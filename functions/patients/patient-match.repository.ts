/**
 * SQL for finding likely duplicates: candidates from indexed blocking keys only (a shared identifier, the email, the
 * phone, the birth date or one of its likely mistypings), never a scan of every patient; for each candidate the
 * measures the scoring (patient-match.ts) weighs, computed by PostgreSQL's own fuzzystrmatch and pg_trgm.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../shared/db.schema.js';
import type { PatientRow } from './patient.table.js';

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

/** A candidate with the measures of its agreement with the probe. */
export interface CandidateMeasures {
  row: PatientRow;
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

export async function matchCandidates(db: Db, probe: MatchProbe): Promise<CandidateMeasures[]> {
  const systems = probe.identifiers.map((identifier) => identifier.system);
  const values = probe.identifiers.map((identifier) => identifier.value);
  const phone = probe.phone?.replace(/\D/g, '') || null;
  const { rows } = await sql<PatientRow & {
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
      from (select coalesce(pm_fold(${probe.familyName}::text), '') as family, coalesce(pm_fold(${probe.givenName}::text), '') as given) f
    ),
    -- Whole rows straight from each blocking key's index (no second visit by id); a record found twice counts once.
    candidate as (
      select p.* from patients p where p.deleted_at is null and p.id in (select patient_id from patient_identifiers
        where live and (system, value) in (select * from unnest(${systems}::text[], ${values}::text[])))
      union all select p.* from patients p where p.deleted_at is null and lower(p.email) = lower(${probe.email}::text)
      union all select p.* from patients p where p.deleted_at is null and p.phone_digits = ${phone}::text
      -- The exact birth date brings everyone born that day; a mistyped one only those whose family name or first
      -- name word begins with one of the probe's initials (either way round): about a tenth of the rows to measure.
      -- Both from stored folded columns: no unaccent call per row.
      union all (select p.* from patients p, probe where p.deleted_at is null and p.date_of_birth = any(${probe.birthDates}::date[])
        and (p.date_of_birth = ${probe.dateOfBirth}::date
          or left(p.family_folded, 1) in (left(probe.family, 1), left(probe.given, 1))
          or substr(p.name_words_folded, 2, 1) in (left(probe.given, 1), left(probe.family, 1)))
        limit ${MAX_CANDIDATES})
    ),
    distinct_candidate as (select distinct on (id) * from candidate)
    select c.*,
      exists (select from patient_identifiers i where i.patient_id = c.id and i.live
              and (i.system, i.value) in (select * from unnest(${systems}::text[], ${values}::text[]))) as shared_identifier,
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
