import assert from 'node:assert/strict';
import { test } from 'node:test';
import { areNicknames } from '../../../functions/patients/nicknames.js';
import { commonNameStranger, parentOrChild, spouse, twin } from './look-alikes.js';
import { seededRandom } from './random.js';
import type { CorpusContext, CorpusRecord } from './record.js';

const context = (seed = 1): CorpusContext => ({ random: seededRandom(seed), today: '2025-12-31', emails: new Set(['anna.novak@example.com']), labIds: 0 });

const anchor: CorpusRecord = {
  personId: 1,
  changes: [],
  name: 'Anna Novák',
  familyName: 'Novák',
  givenNames: ['Anna'],
  gender: 'female',
  phone: '+48 512 345 678',
  email: 'anna.novak@example.com',
  address: '4 ulica Długa, 80827 Gdańsk',
  dateOfBirth: '1990-06-15',
  registeredDate: '2012-01-10',
  identifiers: [],
};

const years = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / (365.25 * 86_400_000);

test('a twin shares family name, birth date and address, and has another given name that is no nickname of the first', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const other = twin(anchor, context(seed), 2);
    assert.equal(other.familyName, 'Novák');
    assert.equal(other.dateOfBirth, '1990-06-15');
    assert.equal(other.address, anchor.address);
    assert.notEqual(other.givenNames[0], 'Anna');
    assert.ok(!areNicknames(other.givenNames[0]!, 'Anna'));
    assert.equal(other.personId, 2);
  }
});

test('twins often have given names of the same initial', () => {
  const initials = Array.from({ length: 40 }, (_, seed) => twin(anchor, context(seed), 2).givenNames[0]![0]);
  assert.ok(initials.filter((initial) => initial === 'A').length >= 10);
});

test('a parent or child has the same names and home, born 20 to 40 years apart, never after today', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const other = parentOrChild(anchor, context(seed), 2);
    assert.deepEqual(other.givenNames, ['Anna']);
    assert.equal(other.familyName, 'Novák');
    assert.equal(other.address, anchor.address);
    const gap = Math.abs(years(anchor.dateOfBirth, other.dateOfBirth));
    assert.ok(gap >= 20 && gap <= 41, `${other.dateOfBirth}`);
    assert.ok(other.dateOfBirth <= '2025-12-31');
  }
});

test('a parent or child of someone born recently is the parent', () => {
  const other = parentOrChild({ ...anchor, dateOfBirth: '2015-01-01' }, context(), 2);
  assert.ok(other.dateOfBirth < '2015-01-01');
});

test('a spouse shares family name and address, with another given name and birth date', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const other = spouse(anchor, context(seed), 2);
    assert.equal(other.familyName, 'Novák');
    assert.equal(other.address, anchor.address);
    assert.notEqual(other.givenNames[0], 'Anna');
    assert.notEqual(other.dateOfBirth, anchor.dateOfBirth);
  }
});

test('a common-name stranger shares the names only', () => {
  const other = commonNameStranger(anchor, context(), 2);
  assert.deepEqual([other.givenNames, other.familyName], [['Anna'], 'Novák']);
  assert.notEqual(other.dateOfBirth, anchor.dateOfBirth);
  assert.notEqual(other.address, anchor.address);
});

test('a look-alike has an email of its own', () => {
  for (const make of [twin, parentOrChild, spouse, commonNameStranger]) {
    assert.notEqual(make(anchor, context(), 2).email, anchor.email);
  }
});
