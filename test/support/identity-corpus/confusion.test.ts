import assert from 'node:assert/strict';
import { test } from 'node:test';
import { confusionTable, type PredictedPair } from './confusion.js';
import type { CorpusRecord, DuplicateKind } from './record.js';

const record = (personId: number, changes: DuplicateKind[] = []): CorpusRecord => ({
  personId,
  changes,
  name: `Person ${personId}`,
  familyName: null,
  givenNames: [],
  gender: null,
  phone: null,
  email: `p${personId}.${changes.join('')}@example.com`,
  address: 'Somewhere 1',
  dateOfBirth: '1980-01-01',
  registeredDate: '2020-01-01',
  identifiers: [],
});

// Person 1 registered three times, person 2 once and their twin (person 3) once: five records, ten pairs.
const corpus = {
  records: [record(1), record(1, ['typo-family']), record(2), record(3), record(1, ['nickname', 'email-changed'])],
  truth: {
    samePerson: [[0, 1], [0, 4], [1, 4]] as Array<[number, number]>,
    lookAlikes: [{ personA: 2, personB: 3, kind: 'twin' as const }],
  },
};
const predicted: PredictedPair[] = [
  { a: 1, b: 0, grade: 'certain' },
  { a: 0, b: 4, grade: 'probable' },
  { a: 1, b: 4, grade: 'possible' },
  { a: 2, b: 3, grade: 'probable' },
  { a: 3, b: 2, grade: 'possible' },
  { a: 0, b: 2, grade: 'certainly-not' },
];

test('certain and probable pairs count as called duplicates; possible ones do not', () => {
  const table = confusionTable(corpus, predicted);
  assert.deepEqual(
    [table.truePositives, table.falsePositives, table.falseNegatives, table.trueNegatives, table.pairs],
    [2, 1, 1, 6, 10],
  );
});

test('precision, recall and F1 follow from the counts', () => {
  const table = confusionTable(corpus, predicted);
  assert.equal(table.precision, 2 / 3);
  assert.equal(table.recall, 2 / 3);
  assert.ok(Math.abs(table.f1 - 2 / 3) < 1e-12);
});

test('missed duplicates are counted under every kind of change between the two records', () => {
  const { byDuplicateKind } = confusionTable(corpus, predicted);
  assert.deepEqual(byDuplicateKind['typo-family'], { pairs: 2, missed: 1 });
  assert.deepEqual(byDuplicateKind.nickname, { pairs: 2, missed: 1 });
  assert.deepEqual(byDuplicateKind['email-changed'], { pairs: 2, missed: 1 });
  assert.deepEqual(byDuplicateKind['married-name'], { pairs: 0, missed: 0 });
});

test('a false positive between twins is put down to the twins, the others to unrelated pairs', () => {
  const { byLookAlikeKind } = confusionTable(corpus, predicted);
  assert.deepEqual(byLookAlikeKind.twin, { pairs: 1, falsePositives: 1 });
  assert.deepEqual(byLookAlikeKind.unrelated, { pairs: 6, falsePositives: 0 });
});

test('a pair named twice keeps its strongest grade, and the grades given are tallied', () => {
  const table = confusionTable(corpus, predicted);
  assert.deepEqual(table.gradesOfSame, { certain: 1, probable: 1, possible: 1, 'certainly-not': 0, unlisted: 0 });
  assert.deepEqual(table.gradesOfDifferent, { certain: 0, probable: 1, possible: 0, 'certainly-not': 1 });
});

test('a pair the prediction does not name is a false negative if it is the same person', () => {
  const table = confusionTable(corpus, []);
  assert.deepEqual([table.truePositives, table.falseNegatives, table.trueNegatives], [0, 3, 7]);
  assert.equal(table.gradesOfSame.unlisted, 3);
  assert.equal(table.precision, 1);
  assert.equal(table.recall, 0);
  assert.equal(table.f1, 0);
});

test('a pair of a record with itself or outside the corpus is refused', () => {
  assert.throws(() => confusionTable(corpus, [{ a: 2, b: 2, grade: 'certain' }]), /not a pair/);
  assert.throws(() => confusionTable(corpus, [{ a: 0, b: 5, grade: 'certain' }]), /not a pair/);
});
