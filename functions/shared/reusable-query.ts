/**
 * A statement whose shape never changes, built and compiled by Kysely once per container and then sent with
 * each call's values. Building and compiling a read with its audit CTE took about a fifth of a warm
 * request's CPU (issue 10); the SQL text is the same every time, only the values differ.
 */
import { CompiledQuery, type Compilable, type Kysely, type QueryResult, type Transaction } from 'kysely';
import type { Database } from './db.schema.js';

type Db = Kysely<Database> | Transaction<Database>;
type Value = string | number | Uint8Array;

/**
 * Stands for the value named `name` while the statement is compiled; no real value looks like it. Mixed
 * case, spaces at both ends, `%` and `_`: lower- or upper-casing, trimming, escaping for LIKE or wrapping
 * in `%…%` all change it, and the NUL characters survive all of those (and Buffer.from).
 */
const placeholder = (name: string) => ` \u0000Reusable_Query%${name}\u0000 `;

const carriesMark = (parameter: unknown) => (typeof parameter === 'string' && parameter.includes('\u0000')) || (parameter instanceof Uint8Array && parameter.includes(0));

/**
 * `build` receives placeholders in place of the values and must hand each one to Kysely unchanged (no
 * `.toLowerCase()`, no `Buffer.from`): a value transformed in any of the ways above is caught at the first
 * call, which fails naming the statement. Parameters that are not values (a `+ 1`) are constants of the
 * statement.
 */
export function reusableQuery<V extends Record<string, Value>, Row>(name: string, build: (db: Db, values: V) => Compilable<Row>) {
  let compiled: { sql: string; slots: ({ key: keyof V } | { constant: unknown })[] } | undefined;
  return async (db: Db, values: V): Promise<QueryResult<Row>> => {
    compiled ??= compile(name, build(db, Object.fromEntries(Object.keys(values).map((key) => [key, placeholder(key)])) as V), Object.keys(values));
    return db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, compiled.slots.map((slot) => ('key' in slot ? values[slot.key] : slot.constant))));
  };
}

function compile<V>(name: string, query: Compilable<unknown>, keys: string[]) {
  const { sql, parameters } = query.compile();
  const keyOf = new Map(keys.map((key) => [placeholder(key), key]));
  const slots = parameters.map((parameter) => {
    const key = typeof parameter === 'string' ? keyOf.get(parameter) : undefined;
    if (key !== undefined) return { key: key as keyof V };
    if (carriesMark(parameter)) throw new Error(`reusable query ${name}: a value reached the statement transformed; pass it unchanged`);
    return { constant: parameter };
  });
  const unused = keys.filter((key) => !slots.some((slot) => 'key' in slot && slot.key === key));
  if (unused.length > 0) throw new Error(`reusable query ${name}: ${unused.join(', ')} never reach the statement`);
  return { sql, slots };
}
