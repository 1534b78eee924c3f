/**
 * SQL for the FHIR Patient search: the typed search (functions/fhir/search-params.ts) becomes one statement over
 * indexed columns, with keyset paging on the sort keys and `seq`, and the read of every returned record recorded
 * in the audit trail by the same statement. No SQL is built from strings: values are parameters.
 *
 * Indexes (migrations/2026-12-07T0001, T0003): identifier → patient_identifiers (system, value) and (value); name
 * and given → patient_name_words (word, seq); :contains → trigram index on the folded words; family → (family_folded, date_of_birth); birthdate →
 * (date_of_birth, seq); _lastUpdated → (updated_at, seq); email → lower(email); phone → phone_digits.
 */
import { sql, type Expression, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { DateValue, PatientSearch, SearchCondition, SortKey } from '../fhir/search-params.js';
import type { Database } from '../shared/db.schema.js';
import { AUDIT_COLUMNS, auditedRead, type ReadAudit } from './patients.repository.js';

type Db = Kysely<Database> | Transaction<Database>;
type Condition = Expression<SqlBool>;

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (character) => `\\${character}`);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const never = sql<SqlBool>`false`;

const anyOf = (conditions: Condition[]): Condition => (conditions.length === 0 ? never : sql<SqlBool>`(${sql.join(conditions, sql` or `)})`);

/** FHIR date search over a column: the value's own range is [start, end); the prefix says how the column relates to it. */
function dateCondition(column: Expression<unknown>, { prefix, start, end }: DateValue, type: 'date' | 'timestamptz'): Condition {
  const from = sql`${start}::${sql.raw(type)}`;
  const to = sql`${end}::${sql.raw(type)}`;
  switch (prefix) {
    case 'eq':
      return sql<SqlBool>`(${column} >= ${from} and ${column} < ${to})`;
    case 'ne':
      return sql<SqlBool>`(${column} < ${from} or ${column} >= ${to})`;
    case 'gt':
    case 'sa':
      return sql<SqlBool>`${column} >= ${to}`;
    case 'lt':
    case 'eb':
      return sql<SqlBool>`${column} < ${from}`;
    case 'ge':
      return sql<SqlBool>`${column} >= ${from}`;
    case 'le':
      return sql<SqlBool>`${column} < ${to}`;
  }
}

const digits = (value: string) => value.replace(/\D/g, '');

function emailIs(value: string): Condition {
  return sql<SqlBool>`lower(email) = ${value.toLowerCase()}`;
}

function phoneIs(value: string): Condition {
  const wanted = digits(value);
  return wanted ? sql<SqlBool>`phone_digits = ${wanted}` : never;
}

/** One occurrence of a search parameter: its values ORed. */
function condition(searched: SearchCondition): Condition {
  switch (searched.param) {
    case '_id':
      return anyOf(searched.values.filter((id) => UUID.test(id)).map((id) => sql<SqlBool>`id = ${id}::uuid`));
    case 'identifier':
      return anyOf(
        searched.values.map(({ system, value }) =>
          system === undefined
            ? sql<SqlBool>`id in (select patient_id from patient_identifiers where live and value = ${value})`
            : sql<SqlBool>`id in (select patient_id from patient_identifiers where live and system = ${system} and value = ${value})`,
        ),
      );
    case 'name':
    case 'given':
    case 'family':
      return anyOf(searched.values.map((value) => nameCondition(searched.param, searched.modifier, value)));
    case 'birthdate':
      return anyOf(searched.values.map((value) => dateCondition(sql.ref('date_of_birth'), value, 'date')));
    case '_lastUpdated':
      return anyOf(searched.values.map((value) => dateCondition(sql.ref('updated_at'), value, 'timestamptz')));
    case 'gender':
      return anyOf(searched.values.map((gender) => sql<SqlBool>`gender = ${gender}`));
    case 'email':
      return anyOf(searched.values.map(emailIs));
    case 'phone':
      return anyOf(searched.values.map(phoneIs));
    case 'telecom':
      return anyOf(
        searched.values.map(({ system, value }) => {
          if (system === 'email') return emailIs(value);
          if (system === 'phone') return phoneIs(value);
          return system === undefined ? anyOf([emailIs(value), phoneIs(value)]) : never;
        }),
      );
  }
}

/**
 * FHIR string search: by default the start of any word of the name (`name`: display, family or given; `given`:
 * a given name; `family`: the family name), ignoring case and accents; `:exact` the whole part as written;
 * `:contains` anywhere. The folded words carry a leading space, so "starts a word" is `LIKE '% prefix%'`.
 */
function nameCondition(param: 'name' | 'given' | 'family', modifier: 'starts' | 'exact' | 'contains', value: string): Condition {
  const folded = sql<string>`pm_fold(${escapeLike(value)})`;
  if (param === 'family') {
    if (modifier === 'exact') return sql<SqlBool>`family = ${value}`;
    if (modifier === 'contains') return sql<SqlBool>`family_folded like '%' || ${folded} || '%'`;
    return sql<SqlBool>`${FAMILY} like ${folded} || '%'`;
  }
  // A word starting with the prefix: one range of patient_name_words' index (its words are in byte order).
  const startsAWord = sql<SqlBool>`id in (select patient_id from patient_name_words where word like ${folded} || '%'${param === 'given' ? sql` and part = 'given'` : sql``})`;
  if (param === 'given') {
    if (modifier === 'exact') return sql<SqlBool>`${value} = any(given)`;
    const pattern = modifier === 'contains' ? sql`'%' || ${folded} || '%'` : sql`${folded} || '%'`;
    if (modifier === 'starts') return startsAWord;
    return sql<SqlBool>`(name_words_folded like '%' || ${folded} || '%' and exists (select from unnest(given) as g where pm_fold(g) like ${pattern}))`;
  }
  if (modifier === 'exact') return sql<SqlBool>`(name = ${value} or family = ${value} or ${value} = any(given))`;
  if (modifier === 'contains') return sql<SqlBool>`name_words_folded like '%' || ${folded} || '%'`;
  return startsAWord;
}

/** The folded family name in byte order, as patients_live_family_idx holds it (prefix search and _sort=family). */
const FAMILY = sql`(family_folded collate "C")`;

/** The column each sort key orders by (never null, so that keyset comparisons hold), and its value as text for the cursor. */
const SORT_COLUMNS: Record<SortKey, { column: Expression<unknown>; text: Expression<string>; type: string }> = {
  family: { column: FAMILY, text: sql<string>`family_folded`, type: 'text collate "C"' },
  birthdate: { column: sql.ref('date_of_birth'), text: sql<string>`date_of_birth::text`, type: 'date' },
  _lastUpdated: { column: sql.ref('updated_at'), text: sql<string>`updated_at::text`, type: 'timestamptz' },
};

/** Where the previous page ended: the last record's sort values (as text) and its `seq`. */
export interface SearchPosition {
  values: string[];
  seq: number;
}

/**
 * Records after `position` in the search's order. When every sort key runs one way, `seq` runs that way too and the
 * position is one row comparison, `(k1, …, seq) > (v1, …, s)`, which an index on (k1, …, seq) seeks to; mixed
 * directions compare key by key.
 */
function after(search: PatientSearch, position: SearchPosition): Condition {
  const descending = seqDescending(search);
  const keys = [...search.sort.map(({ key, descending: down }, index) => ({ ...SORT_COLUMNS[key], descending: down, value: position.values[index] ?? '' })), {
    column: sql.ref('seq') as Expression<unknown>,
    type: 'bigint',
    descending,
    value: String(position.seq),
  }];
  const typed = (key: (typeof keys)[number]) => sql`${key.value}::${sql.raw(key.type)}`;
  if (keys.every((key) => key.descending === keys[0]?.descending)) {
    const operator = sql.raw(descending ? '<' : '>');
    return sql<SqlBool>`(${sql.join(keys.map((key) => key.column))}) ${operator} (${sql.join(keys.map(typed))})`;
  }
  const alternatives = keys.map((key, index) => {
    const equalBefore = keys.slice(0, index).map((earlier) => sql<SqlBool>`${earlier.column} = ${typed(earlier)}`);
    const beyond = sql<SqlBool>`${key.column} ${sql.raw(key.descending ? '<' : '>')} ${typed(key)}`;
    return sql<SqlBool>`(${sql.join([...equalBefore, beyond], sql` and `)})`;
  });
  return anyOf(alternatives);
}

/** `seq`, the last key of every order, runs the way the sort keys do when they all run one way; else ascending. */
function seqDescending(search: PatientSearch): boolean {
  const [first, ...rest] = search.sort;
  return first !== undefined && first.descending && rest.every((key) => key.descending);
}

/**
 * A prefix under which at most this many distinct words lie is answered word by word: the first records of each word
 * by `seq` (one short range of the (word, seq) index each, the words found by skipping from one to the next), merged.
 * Under a broader prefix ("ma") that would be too many ranges: the records are walked in `seq` order instead, where
 * matches are dense. Without this split a rare prefix walked tens of thousands of entries to find a page.
 */
const MERGED_WORDS = 200;

/** A search by one name or given-name prefix and nothing else, in creation order: answered from the words' index. */
function wordPrefixOnly(search: PatientSearch): { param: 'name' | 'given'; value: string } | undefined {
  const [only, ...rest] = search.conditions;
  if (rest.length > 0 || search.sort.length > 0 || !only || (only.param !== 'name' && only.param !== 'given')) return undefined;
  if (only.modifier !== 'starts' || only.values.length !== 1) return undefined;
  return { param: only.param, value: only.values[0]! };
}

function matching(db: Db, search: PatientSearch) {
  let query = db.selectFrom('patients').where('deleted_at', 'is', null);
  for (const searched of search.conditions) query = query.where(condition(searched));
  return query;
}

function pageOf(db: Db, search: PatientSearch, limit: number, position: SearchPosition | undefined, audit: ReadAudit & { audited: number }) {
  const sortText = search.sort.map(({ key }, index) => sql<string>`${SORT_COLUMNS[key].text}`.as(`sort_${index}`));
  return db
    .with('page', () => {
      const byWord = wordPrefixOnly(search);
      if (byWord) {
        // The first records by `seq` with a word starting so, read from the words' index alone (see its migration).
        const after = position ? sql`and seq > ${position.seq}::bigint` : sql``;
        const part = byWord.param === 'given' ? sql`and part = 'given'` : sql``;
        const prefix = sql`pm_fold(${escapeLike(byWord.value)}) || '%'`;
        const hits = sql`(
          with recursive words (word) as (
            (select word from patient_name_words where word like ${prefix} ${part} order by word limit 1)
            union all
            (select next.word from words, lateral (select word from patient_name_words
              where word > words.word and word like ${prefix} ${part} order by word limit 1) as next)
          ), few as (select word from words limit ${MERGED_WORDS + 1})
          select patient_id from (select distinct on (hit.seq) hit.seq, hit.patient_id from few, lateral (select seq, patient_id
              from patient_name_words where word = few.word ${part} ${after} order by seq limit ${limit}) as hit
            order by hit.seq limit ${limit}) as merged
          where (select count(*) from few) <= ${MERGED_WORDS}
          union all
          select patient_id from (select distinct on (seq) seq, patient_id from patient_name_words
            where word like ${prefix} ${part} ${after} order by seq limit ${limit}) as walked
          where (select count(*) from few) > ${MERGED_WORDS})`;
        return db.selectFrom('patients').selectAll().where('deleted_at', 'is', null).where(sql<SqlBool>`id in ${hits}`).orderBy('seq').limit(limit);
      }
      let query = matching(db, search).selectAll();
      if (sortText.length > 0) query = query.select(sortText);
      if (position) query = query.where(after(search, position));
      for (const { key, descending } of search.sort) query = query.orderBy(SORT_COLUMNS[key].column, descending ? 'desc' : 'asc');
      return query.orderBy('seq', seqDescending(search) ? 'desc' : 'asc').limit(limit);
    })
    .with('audited', (qb) =>
      qb
        .insertInto('audit_events')
        .columns(AUDIT_COLUMNS)
        .expression((eb) => eb.selectFrom('page').select((inner) => auditedRead(inner.ref('page.id'), audit)).limit(audit.audited)),
    )
    .selectFrom('page')
    .selectAll()
    .execute();
}

/**
 * Up to `limit` live patients matching the search, in its order, after `position`; the first `audited` of them
 * recorded as read by the same statement (the caller asks for one more than it shows, to know whether a next
 * page exists). Each row carries its sort values as text (`sort_0`, …) for the next page's position.
 */
export async function findPatients(db: Db, search: PatientSearch, limit: number, position: SearchPosition | undefined, audit: ReadAudit & { audited: number }) {
  const rows = await pageOf(db, search, limit, position, audit);
  return rows.map((row) => {
    const record = row as typeof row & Record<string, unknown>;
    const sortValues = search.sort.map((_, index) => String(record[`sort_${index}`]));
    return { row, position: { values: sortValues, seq: row.seq } satisfies SearchPosition };
  });
}

/** How many live patients match the search (`_total=accurate`, `_summary=count`). */
export async function countPatients(db: Db, search: PatientSearch): Promise<number> {
  const { total } = await matching(db, search).select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  return Number(total);
}
