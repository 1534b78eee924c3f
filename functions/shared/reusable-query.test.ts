import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql, type CompiledQuery } from 'kysely';
import type { Database } from './db.schema.js';
import { reusableQuery } from './reusable-query.js';

/** A Kysely that compiles for PostgreSQL and records what it would send, without a database. */
function recordingDb() {
  const sent: CompiledQuery[] = [];
  const db = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (kysely) => new PostgresIntrospector(kysely),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event) => void sent.push(event.query),
  });
  return { db, sent };
}

describe('reusable queries', () => {
  test('each call sends the statement compiled once, with its own values in the places Kysely gave them', async () => {
    const { db, sent } = recordingDb();
    let builds = 0;
    const read = reusableQuery('read', (qc, { id, actor }: { id: string; actor: string }) => {
      builds += 1;
      return qc.selectFrom('patients').select(sql<string>`${actor}::text`.as('actor')).where('id', '=', id).where('version', '>', 1);
    });

    await read(db, { id: 'first', actor: 'alice' });
    await read(db, { id: 'second', actor: 'bob' });

    assert.equal(builds, 1);
    assert.equal(sent[0]!.sql, sent[1]!.sql);
    assert.deepEqual(sent.map((query) => query.parameters), [
      ['alice', 'first', 1],
      ['bob', 'second', 1],
    ]);
  });

  test('a value the builder transformed stops the first call, naming the statement', async () => {
    const transforms: Record<string, (value: string) => unknown> = {
      'lower-cased': (value) => value.toLowerCase(),
      'upper-cased': (value) => value.toUpperCase(),
      trimmed: (value) => value.trim(),
      'wrapped for LIKE': (value) => `%${value}%`,
      'made bytes': (value) => Buffer.from(value),
    };
    for (const [how, transform] of Object.entries(transforms)) {
      const { db } = recordingDb();
      const search = reusableQuery('search', (qc, { email }: { email: string }) => qc.selectFrom('patients').selectAll().where(sql`email`, '=', transform(email)));

      await assert.rejects(search(db, { email: 'A@example.org' }), /reusable query search: a value reached the statement transformed/, how);
    }
  });

  test('a value the statement never uses stops the first call', async () => {
    const { db } = recordingDb();
    const read = reusableQuery('read', (qc, { id }: { id: string; unused: string }) => qc.selectFrom('patients').selectAll().where('id', '=', id));

    await assert.rejects(read(db, { id: 'x', unused: 'y' }), /reusable query read: unused never reach the statement/);
  });
});
