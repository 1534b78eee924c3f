import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from './random.js';
import { adjacentKeys, typo } from './typos.js';

/** Damerau–Levenshtein distance (optimal string alignment), to check that a typo is exactly one edit. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

test('the keys next to "g" are the ones around it on a QWERTY keyboard', () => {
  assert.deepEqual(adjacentKeys('g').sort(), ['b', 'f', 'h', 't', 'v', 'y']);
});

test('every edit changes a name by exactly one edit, case-insensitively', () => {
  const random = seededRandom(7);
  for (const edit of ['insertion', 'deletion', 'substitution', 'transposition'] as const) {
    for (const name of ['Johnson', 'Rodríguez', 'Schneider', 'Nguyễn']) {
      const typed = typo(name, random, edit);
      if (typed === null) continue;
      assert.equal(editDistance(name.toLowerCase(), typed.toLowerCase()), 1, `${edit} of ${name} gave ${typed}`);
    }
  }
});

test('a deletion makes the name one letter shorter and an insertion one longer', () => {
  const random = seededRandom(3);
  assert.equal(typo('Williams', random, 'deletion')!.length, 7);
  assert.equal(typo('Williams', random, 'insertion')!.length, 9);
});

test('a substitution puts a neighbouring key in place of a letter', () => {
  const random = seededRandom(11);
  const typed = typo('Hansen', random, 'substitution')!;
  const at = [...typed].findIndex((c, i) => c !== 'Hansen'[i]);
  assert.ok(adjacentKeys('Hansen'[at]!.toLowerCase()).includes(typed[at]!.toLowerCase()), typed);
});

test('a transposition swaps two neighbouring letters and keeps the capital first', () => {
  const random = seededRandom(5);
  for (let n = 0; n < 20; n++) {
    const typed = typo('Martin', random, 'transposition');
    if (typed === null) continue;
    assert.deepEqual([...typed.toLowerCase()].sort(), [...'martin'].sort());
    assert.match(typed, /^[A-Z][a-z]+$/);
  }
});

test('a name of fewer than three letters gets no typo', () => {
  assert.equal(typo('Li', seededRandom(1)), null);
});
