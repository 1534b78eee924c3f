import assert from 'node:assert/strict';
import { test } from 'node:test';
import { confusionTable } from './confusion.js';
import { generateCorpus } from './corpus.js';
import { falsePositiveCauses, formatIdentityReport } from './report.js';

// A small corpus and a pretend matcher that calls every pair of the same person certain except those with a
// nickname, and every twin pair probable: the report must say both.
const corpus = generateCorpus({ seed: 5, persons: 400 });
const sameFound = corpus.truth.samePerson
  .filter(([a, b]) => ![a, b].some((i) => corpus.records[i]!.changes.includes('nickname')))
  .map(([a, b]) => ({ a, b, grade: 'certain' as const }));
const twins = corpus.truth.lookAlikes.filter((pair) => pair.kind === 'twin');
const twinPairs = twins.flatMap(({ personA, personB }) => {
  const of = (person: number) => corpus.records.flatMap((record, index) => (record.personId === person ? [index] : []));
  return of(personA).flatMap((a) => of(personB).map((b) => ({ a, b, grade: 'probable' as const })));
});
const confusion = confusionTable(corpus, [...sameFound, ...twinPairs]);
const report = formatIdentityReport(confusion);

test('the report shows the confusion table with its four counts', () => {
  assert.match(report, new RegExp(`${confusion.truePositives.toLocaleString('en-US')} TP`));
  assert.match(report, new RegExp(`${confusion.falsePositives} FP`));
  assert.match(report, new RegExp(`${confusion.falseNegatives} FN`));
  assert.match(report, /TN/);
});

test('the report says whether precision and recall meet the goals', () => {
  assert.match(report, new RegExp(`\\| precision +\\| +${confusion.precision.toFixed(3)} +\\| +≥ 0.980 +\\| +NOT met`));
  assert.match(report, new RegExp(`\\| recall +\\| +${confusion.recall.toFixed(3)} +\\| +≥ 0.900 +\\| +(met|NOT met)`));
  assert.ok(confusion.precision < 0.98);
});

test('the report puts the false positives down to twins', () => {
  assert.equal(falsePositiveCauses(confusion), `twin ${twinPairs.length}`);
  assert.match(report, new RegExp(`False positives by cause: twin ${twinPairs.length}\\.`));
});

test('the report lists the nickname duplicates as all missed', () => {
  assert.match(report, /\| nickname +\| +\d+ \| +\d+ \| +0\.000 \|/);
});
