import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import spec from '../../../functions/shared/generated/openapi.json' with { type: 'json' };
import { generateCorpus, LOOK_ALIKE_KINDS, DUPLICATE_KINDS } from './corpus.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const corpus = generateCorpus({ seed: 2026, persons: 3000 });

test('the same seed gives the same corpus, another seed another', () => {
  assert.deepEqual(generateCorpus({ seed: 2026, persons: 3000 }).records, corpus.records);
  assert.notDeepEqual(generateCorpus({ seed: 2027, persons: 3000 }).records, corpus.records);
});

test('about 30 % of persons have duplicates and 10 % are look-alikes, as the defaults say', () => {
  const recordsByPerson = new Map<number, number>();
  for (const record of corpus.records) recordsByPerson.set(record.personId, (recordsByPerson.get(record.personId) ?? 0) + 1);
  const duplicated = [...recordsByPerson.values()].filter((count) => count > 1).length;
  assert.equal(recordsByPerson.size, 3000);
  assert.ok(Math.abs(duplicated / 3000 - 0.3) < 0.03, `${duplicated} duplicated`);
  assert.ok(Math.abs(corpus.truth.lookAlikes.length / 3000 - 0.1) < 0.02, `${corpus.truth.lookAlikes.length} look-alikes`);
  assert.ok(Math.max(...recordsByPerson.values()) <= 3);
});

test('every kind of duplicate and of look-alike occurs', () => {
  const made = new Set(corpus.records.flatMap((record) => record.changes));
  for (const kind of DUPLICATE_KINDS) assert.ok(made.has(kind), kind);
  const alike = new Set(corpus.truth.lookAlikes.map((pair) => pair.kind));
  for (const kind of LOOK_ALIKE_KINDS) assert.ok(alike.has(kind), kind);
});

test('the truth pairs are exactly the pairs of records of the same person', () => {
  for (const [a, b] of corpus.truth.samePerson) {
    assert.ok(a < b);
    assert.equal(corpus.records[a]!.personId, corpus.records[b]!.personId);
  }
  const sizes = new Map<number, number>();
  for (const record of corpus.records) sizes.set(record.personId, (sizes.get(record.personId) ?? 0) + 1);
  const expected = [...sizes.values()].reduce((sum, k) => sum + (k * (k - 1)) / 2, 0);
  assert.equal(corpus.truth.samePerson.length, expected);
});

test('each person has exactly one record without changes: its first', () => {
  const firsts = corpus.records.filter((record) => record.changes.length === 0).map((record) => record.personId);
  assert.equal(new Set(firsts).size, firsts.length);
  assert.equal(firsts.length, 3000);
});

test('look-alikes are pairs of different persons', () => {
  for (const { personA, personB } of corpus.truth.lookAlikes) assert.notEqual(personA, personB);
});

test('emails are unique, as live patients’ must be', () => {
  const emails = corpus.records.map((record) => record.email.toLowerCase());
  assert.equal(new Set(emails).size, emails.length);
});

test('an identifier is shared only by records of the same person, and only by a shared-identifier duplicate', () => {
  const holders = new Map<string, number[]>();
  corpus.records.forEach((record, index) => {
    for (const { system, value } of record.identifiers) holders.set(`${system}|${value}`, [...(holders.get(`${system}|${value}`) ?? []), index]);
  });
  for (const indexes of holders.values()) {
    if (indexes.length === 1) continue;
    assert.equal(new Set(indexes.map((i) => corpus.records[i]!.personId)).size, 1);
    assert.ok(indexes.some((i) => corpus.records[i]!.changes.includes('shared-identifier')));
  }
});

test('every record is a valid PatientCreate body of our API', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addSchema(spec, 'openapi');
  const validate = ajv.getSchema('openapi#/components/schemas/PatientCreate')!;
  for (const { personId: _personId, changes: _changes, ...body } of corpus.records) {
    assert.ok(validate(body), `${JSON.stringify(body)}: ${ajv.errorsText(validate.errors)}`);
    assert.ok(body.registeredDate >= body.dateOfBirth && body.registeredDate <= '2025-12-31');
  }
});
