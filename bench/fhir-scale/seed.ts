/**
 * A million patients written straight into PostgreSQL (through the API it would take hours): batched
 * `insert … select … from generate_series`, one statement a batch writing the patients rows (MRN from the
 * column's default), their patient_identifiers rows (the MRN under the configured system, external
 * identifiers also in the row's `identifiers`) and their first patient_versions row, as the service writes them.
 * The indexes that no constraint needs are dropped for the load and rebuilt from their own definitions
 * afterwards (checked: the schema ends as the migrations made it); then VACUUM ANALYZE, so that the measurements
 * run on fresh statistics and a visibility map, without an autovacuum of a million new rows in the middle.
 */
import pg from 'pg';
import { CITIES, FAMILY_NAMES, FEMALE_GIVEN, MALE_GIVEN, STREETS } from './names.js';

export interface SeedResult {
  patients: number;
  batchSize: number;
  /** Seconds for the batches, the index rebuild and VACUUM ANALYZE. */
  insertSeconds: number;
  indexSeconds: number;
  vacuumAnalyzeSeconds: number;
  totalSeconds: number;
  rebuiltIndexes: string[];
}

/** The external identifier systems seeded (a national id for 20 % of patients, a lab's id for 10 % more). */
export const SEEDED_SYSTEMS = { nationalId: 'http://hl7.org/fhir/sid/us-ssn', lab: 'urn:oid:1.2.36.146.595.217.0.1' };

const TABLES = ['patients', 'patient_identifiers', 'patient_versions', 'patient_name_words'];

/**
 * One batch, seeds i = $1 … $2. Each row draws its random numbers once (the materialized CTE), so that its
 * gender, names and email agree. Family names: the front of the list more often (power 1.5 of a uniform draw).
 */
const BATCH_SQL = `
with drawn as materialized (
  select i, random() as r_family, random() as r_gender, random() as r_given, random() as r_second, random() as r_more,
         random() as r_dob, random() as r_registered, random() as r_updated, random() as r_phone, random() as r_ids
  from generate_series($1::int, $2::int) as i
), named as materialized (
  select d.*, $3::text[] as families,
    case when r_gender < 0.48 then 'female' when r_gender < 0.96 then 'male' when r_gender < 0.99 then 'other' else 'unknown' end as gender,
    case when r_gender < 0.48 then $4::text[] when r_gender < 0.96 then $5::text[] else $4::text[] || $5::text[] end as givens
  from drawn d
), shaped as materialized (
  select n.*,
    families[1 + floor(power(r_family, 1.5) * cardinality(families))::int] as family,
    case when r_second < 0.3
      then array[givens[1 + floor(r_given * cardinality(givens))::int], givens[1 + floor(r_more * cardinality(givens))::int]]
      else array[givens[1 + floor(r_given * cardinality(givens))::int]] end as given,
    date '1935-01-01' + floor(r_dob * 32872)::int as date_of_birth,
    (now() - r_updated * interval '365 days') as updated_at,
    lpad((100000000 + i)::text, 9, '0') as national_id
  from named n
), inserted as (
  insert into patients (name, family, given, gender, phone, email, address, date_of_birth, registered_date, identifiers, version, created_at, updated_at)
  select array_to_string(given, ' ') || ' ' || family, family, given, gender,
    case when r_phone < 0.5 then '+1 555 ' || lpad((floor(r_phone * 2e7)::int % 10000000)::text, 7, '0') end,
    regexp_replace(pm_fold(given[1]), '[^a-z]', '', 'g') || '.' || regexp_replace(pm_fold(family), '[^a-z]', '', 'g') || '.' || i || '@example.org',
    (1 + i % 199) || ' ' || ($6::text[])[1 + i % cardinality($6::text[])] || ', ' || ($7::text[])[1 + (i / 7) % cardinality($7::text[])],
    date_of_birth,
    least(current_date, greatest(date_of_birth, date '2000-01-01' + floor(r_registered * (current_date - date '2000-01-01'))::int)),
    case
      when r_ids < 0.2 then jsonb_build_array(jsonb_build_object('system', $8::text, 'value', substr(national_id, 1, 3) || '-' || substr(national_id, 4, 2) || '-' || substr(national_id, 6)))
      when r_ids < 0.3 then jsonb_build_array(jsonb_build_object('system', $9::text, 'value', 'LAB-' || i))
      else '[]'::jsonb end,
    1, updated_at, updated_at
  from shaped
  returning *
), identified as (
  insert into patient_identifiers (patient_id, system, value)
  select id, $10::text, mrn from inserted
  union all
  select inserted.id, x ->> 'system', x ->> 'value' from inserted, jsonb_array_elements(inserted.identifiers) as x
), worded as (
  insert into patient_name_words (word, part, seq, patient_id)
  select w.word, w.part, inserted.seq, inserted.id from inserted, pm_name_words_of(inserted.name, inserted.family, inserted.given) as w
)
insert into patient_versions (patient_id, version, recorded_at, actor_sub, action, record)
select id, 1, updated_at, 'bench-seed', 'create', to_jsonb(inserted) - 'seq' - 'family_folded' - 'name_words_folded' - 'phone_digits'
from inserted`;

const seconds = (since: number) => (performance.now() - since) / 1000;

/** The indexes of the seeded tables that back no constraint: dropped for the load, rebuilt from these definitions. */
async function droppableIndexes(client: pg.Client): Promise<{ name: string; definition: string }[]> {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `select c.relname as name, pg_get_indexdef(i.indexrelid) as definition
     from pg_index i join pg_class c on c.oid = i.indexrelid
     where i.indrelid = any($1::regclass[]) and not exists (select from pg_constraint k where k.conindid = i.indexrelid)
     order by c.relname`,
    [TABLES],
  );
  return rows;
}

export async function seedPatients(databaseUrl: string, options: { patients: number; batchSize: number; mrnSystem: string }, log: (line: string) => void): Promise<SeedResult> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-seed' });
  await client.connect();
  const started = performance.now();
  try {
    // Bigger sort memory for the index builds; a lost batch on a crash costs nothing here.
    await client.query(`set maintenance_work_mem = '1GB'; set synchronous_commit = off; select setseed(0.2026)`);
    const indexes = await droppableIndexes(client);
    for (const { name } of indexes) await client.query(`drop index ${pg.escapeIdentifier(name)}`);
    log(`  dropped ${indexes.length} indexes for the load: ${indexes.map((i) => i.name).join(', ')}`);
    const mrnSystem = options.mrnSystem;
    for (let first = 1; first <= options.patients; first += options.batchSize) {
      const last = Math.min(options.patients, first + options.batchSize - 1);
      const batchStarted = performance.now();
      await client.query(BATCH_SQL, [first, last, FAMILY_NAMES, FEMALE_GIVEN, MALE_GIVEN, STREETS, CITIES, SEEDED_SYSTEMS.nationalId, SEEDED_SYSTEMS.lab, mrnSystem]);
      log(`  patients ${first}–${last}: ${seconds(batchStarted).toFixed(1)} s (${seconds(started).toFixed(0)} s so far)`);
    }
    const insertSeconds = seconds(started);
    const indexStarted = performance.now();
    for (const { name, definition } of indexes) {
      const one = performance.now();
      await client.query(definition);
      log(`  rebuilt ${name}: ${seconds(one).toFixed(1)} s`);
    }
    const after = await droppableIndexes(client);
    const same = JSON.stringify(after) === JSON.stringify(indexes);
    if (!same) throw new Error(`the rebuilt indexes differ from the migrations': ${JSON.stringify({ before: indexes, after })}`);
    const indexSeconds = seconds(indexStarted);
    const vacuumStarted = performance.now();
    await client.query(`vacuum (analyze) ${TABLES.join(', ')}`);
    const vacuumAnalyzeSeconds = seconds(vacuumStarted);
    return { patients: options.patients, batchSize: options.batchSize, insertSeconds, indexSeconds, vacuumAnalyzeSeconds, totalSeconds: seconds(started), rebuiltIndexes: indexes.map((i) => i.name) };
  } finally {
    await client.end();
  }
}
