import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { FhirError } from './operation-outcome.js';
import { encodeHistoryCursor, parseHistoryQuery, serializeHistoryQuery } from './history-params.js';

/** The parameter a refused query's 400 names. */
function refused(query: Array<[string, string]>): string | undefined {
  try {
    parseHistoryQuery(query, false);
  } catch (error) {
    assert.ok(error instanceof FhirError);
    assert.equal(error.status, 400);
    return error.issues[0]?.expression?.[0];
  }
  assert.fail(`expected ${JSON.stringify(query)} to be refused`);
}

describe('history parameters', () => {
  test('default to a page of 20 from the newest version; _count is capped at 100', () => {
    assert.deepEqual(parseHistoryQuery([], false), { count: 20 });
    assert.equal(parseHistoryQuery([['_count', '5000']], false).count, 100);
    assert.equal(parseHistoryQuery([['_count', '0'], ['_format', 'json']], false).count, 0);
  });

  test('_since reads an instant or a date as the moment it starts', () => {
    assert.equal(parseHistoryQuery([['_since', '2024-03-01T10:15:00+01:00']], false).since, '2024-03-01T09:15:00.000Z');
    assert.equal(parseHistoryQuery([['_since', '2024-03']], false).since, '2024-03-01T00:00:00.000Z');
  });

  test('a page read back from its own links is the same page', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 100 }),
      fc.option(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2999-12-31T00:00:00Z'), noInvalidDate: true }), { nil: undefined }),
      fc.option(fc.integer({ min: 1, max: 999_999_999 }), { nil: undefined }),
      (count, since, beforeVersion) => {
        const query = { count, ...(since ? { since: since.toISOString() } : {}), ...(beforeVersion ? { beforeVersion } : {}) };
        assert.deepEqual(parseHistoryQuery(serializeHistoryQuery(query), false), query);
      },
    ));
  });

  test('refuses what it does not know, a repeat, a forged cursor and a malformed value, naming the parameter', () => {
    assert.equal(refused([['_at', '2024-01-01']]), '_at');
    assert.equal(refused([['_count', '2'], ['_count', '3']]), '_count');
    assert.equal(refused([['_count', '-1']]), '_count');
    assert.equal(refused([['_since', 'gt2024-01-01']]), '_since');
    assert.equal(refused([['_since', '2024-13-01']]), '_since');
    assert.equal(refused([['_cursor', encodeHistoryCursor(3).slice(1)]]), '_cursor');
    assert.equal(refused([['_cursor', Buffer.from('seq:12').toString('base64url')]]), '_cursor');
    assert.equal(refused([['_cursor', 'x'.repeat(600)]]), '_cursor');
  });

  test('Prefer: handling=lenient ignores unknown parameters, not malformed known ones', () => {
    assert.deepEqual(parseHistoryQuery([['_at', '2024-01-01'], ['_count', '3']], true), { count: 3 });
    assert.throws(() => parseHistoryQuery([['_count', 'many']], true), FhirError);
  });
});
