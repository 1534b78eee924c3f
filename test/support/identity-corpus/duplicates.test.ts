import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as kinds from './duplicates.js';
import { seededRandom } from './random.js';
import { LAB_SYSTEM, type CorpusContext, type CorpusRecord } from './record.js';

const context = (seed = 1): CorpusContext => ({ random: seededRandom(seed), today: '2025-12-31', emails: new Set(), labIds: 0 });

const record = (fields: Partial<CorpusRecord> = {}): CorpusRecord => ({
  personId: 1,
  changes: [],
  name: 'José María García',
  familyName: 'García',
  givenNames: ['José', 'María'],
  gender: 'male',
  phone: '+34 600 123 456',
  email: 'jose.garcia@example.com',
  address: '12 Calle Mayor, 28013 Sevilla',
  dateOfBirth: '1980-03-07',
  registeredDate: '2010-05-01',
  identifiers: [{ system: LAB_SYSTEM, value: 'LAB-0000001' }],
  ...fields,
});

test('a typo in the family name changes the family name and the display name, nothing else', () => {
  const changed = kinds.typoInFamily(record(), context())!;
  assert.notEqual(changed.familyName, 'García');
  assert.equal(changed.name, `José María ${changed.familyName}`);
  assert.deepEqual(changed.givenNames, ['José', 'María']);
  assert.equal(changed.dateOfBirth, '1980-03-07');
});

test('a typo in the given name changes the first given name only', () => {
  const changed = kinds.typoInGiven(record(), context())!;
  assert.notEqual(changed.givenNames[0], 'José');
  assert.equal(changed.givenNames[1], 'María');
  assert.equal(changed.familyName, 'García');
});

test('dropping accents types every name without them', () => {
  const changed = kinds.accentDropped(record({ givenNames: ['Łukasz'], familyName: 'Müller' }), context())!;
  assert.deepEqual(changed.givenNames, ['Lukasz']);
  assert.equal(changed.familyName, 'Muller');
  assert.equal(changed.name, 'Lukasz Muller');
});

test('dropping accents does not apply to a name without any', () => {
  assert.equal(kinds.accentDropped(record({ givenNames: ['John'], familyName: 'Smith' }), context()), null);
});

test('swapping names puts the family name in the given names and the first given name in the family', () => {
  const changed = kinds.namesSwapped(record(), context())!;
  assert.deepEqual(changed.givenNames, ['García']);
  assert.equal(changed.familyName, 'José');
});

test('an initial replaces the given names', () => {
  const changed = kinds.initialForGiven(record(), context())!;
  assert.deepEqual(changed.givenNames, ['J.']);
  assert.equal(changed.name, 'J. García');
});

test('a nickname replaces the first given name with one of its nicknames', () => {
  const changed = kinds.nickname(record(), context())!;
  assert.ok(['Pepe', 'Chepe'].includes(changed.givenNames[0]!), changed.givenNames[0]);
  assert.equal(kinds.nickname(record({ givenNames: ['Zoë'] }), context()), null);
});

test('transposing the birth date swaps day and month when both are at most 12', () => {
  assert.equal(kinds.dateTransposed(record({ dateOfBirth: '1980-03-07' }), context())!.dateOfBirth, '1980-07-03');
  assert.equal(kinds.dateTransposed(record({ dateOfBirth: '1980-03-17' }), context()), null);
  assert.equal(kinds.dateTransposed(record({ dateOfBirth: '1980-04-04' }), context()), null);
});

test('one digit off in the birth date changes exactly one digit and keeps a valid past date', () => {
  const shared = context(9);
  for (let n = 0; n < 50; n++) {
    const date = kinds.dateDigit(record({ dateOfBirth: '1999-12-28' }), shared)!.dateOfBirth;
    const differing = [...date].filter((c, i) => c !== '1999-12-28'[i]).length;
    assert.equal(differing, 1, date);
    assert.equal(new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10), date);
    assert.ok(date <= '2025-12-31', date);
  }
});

test('a married name is a new family name with the same given names and birth date', () => {
  const changed = kinds.marriedName(record(), context())!;
  assert.notEqual(changed.familyName, 'García');
  assert.deepEqual(changed.givenNames, ['José', 'María']);
  assert.equal(changed.dateOfBirth, '1980-03-07');
});

test('a changed email, phone or address is a new one', () => {
  assert.notEqual(kinds.emailChanged(record(), context())!.email, 'jose.garcia@example.com');
  assert.notEqual(kinds.phoneChanged(record(), context())!.phone, '+34 600 123 456');
  assert.notEqual(kinds.addressChanged(record(), context())!.address, '12 Calle Mayor, 28013 Sevilla');
});

test('a shared identifier keeps only the lab identifier, and needs one', () => {
  const changed = kinds.sharedIdentifier(record({ identifiers: [{ system: 'urn:other', value: 'X' }, { system: LAB_SYSTEM, value: 'LAB-1' }] }), context())!;
  assert.deepEqual(changed.identifiers, [{ system: LAB_SYSTEM, value: 'LAB-1' }]);
  assert.equal(kinds.sharedIdentifier(record({ identifiers: [] }), context()), null);
});

test('a duplicate has the asked number of changes, labelled, and its own email', () => {
  const shared = context(4);
  shared.emails.add('jose.garcia@example.com');
  const weights = { ...Object.fromEntries(Object.keys(kinds.DUPLICATE_MAKERS).map((kind) => [kind, 1])) } as Parameters<typeof kinds.makeDuplicate>[2];
  for (let n = 0; n < 100; n++) {
    const changes = 1 + (n % 3);
    const duplicate = kinds.makeDuplicate(record(), shared, weights, changes);
    assert.equal(duplicate.changes.length, duplicate.changes.includes('shared-identifier') && changes === 1 ? 2 : changes);
    assert.equal(duplicate.personId, 1);
    assert.notEqual(duplicate.email, 'jose.garcia@example.com');
    assert.ok(duplicate.registeredDate >= '2010-05-01');
  }
});

test('a duplicate carries no identifier unless it shares the lab identifier', () => {
  const weights = { ...Object.fromEntries(Object.keys(kinds.DUPLICATE_MAKERS).map((kind) => [kind, 0])), 'phone-changed': 1 } as Parameters<typeof kinds.makeDuplicate>[2];
  assert.deepEqual(kinds.makeDuplicate(record(), context(), weights, 1).identifiers, []);
});

test('a duplicate never has two kinds that rewrite the same given name', () => {
  const shared = context(8);
  const weights = { ...Object.fromEntries(Object.keys(kinds.DUPLICATE_MAKERS).map((kind) => [kind, 0])), 'typo-given': 1, initial: 1, nickname: 1, 'phone-changed': 1 } as Parameters<typeof kinds.makeDuplicate>[2];
  for (let n = 0; n < 50; n++) {
    const { changes } = kinds.makeDuplicate(record({ givenNames: ['William'] }), shared, weights, 3);
    assert.ok(changes.filter((kind) => ['typo-given', 'initial', 'nickname'].includes(kind)).length <= 1, changes.join());
  }
});
