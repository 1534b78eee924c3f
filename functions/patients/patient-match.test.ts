import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PatientRow } from './patient.table.js';
import type { CandidateMeasures } from './patient-match.repository.js';
import { birthDateAgreement, birthDateVariants, scoreCandidate } from './patient-match.js';

describe('birth dates a duplicate may carry', () => {
  test('the variants hold the date, its day and month swapped, and every one-digit change that is a real date', () => {
    const variants = birthDateVariants('1971-03-08');
    assert.equal(variants[0], '1971-03-08');
    assert.ok(variants.includes('1971-08-03'));
    assert.ok(variants.includes('1972-03-08') && variants.includes('1971-03-18'));
    assert.ok(!variants.includes('1971-03-48'), 'not a real date');
    assert.ok(!variants.includes('1971-13-08'), 'not a real month');
  });

  test('agreement says exact, transposed, one digit off or different', () => {
    assert.equal(birthDateAgreement('1971-03-08', '1971-03-08'), 'exact');
    assert.equal(birthDateAgreement('1971-03-08', '1971-08-03'), 'transposed');
    assert.equal(birthDateAgreement('1971-03-08', '1971-03-09'), 'oneDigitOff');
    assert.equal(birthDateAgreement('1971-03-08', '1951-03-08'), 'oneDigitOff');
    assert.equal(birthDateAgreement('1971-03-08', '1991-04-08'), 'different');
  });
});

describe('grades', () => {
  const probe = { given: 'Anna', family: 'Garcia', gender: 'female', dateOfBirth: '1984-07-02', hasEmail: false, hasPhone: false, hasAddress: false };
  const candidate = (overrides: Partial<CandidateMeasures> = {}, row: Partial<PatientRow> = {}): CandidateMeasures => ({
    row: { date_of_birth: '1984-07-02', gender: 'female', phone: null, ...row } as PatientRow,
    sharedIdentifier: false,
    familyDistance: 0,
    familySoundsAlike: true,
    givenDistance: 0,
    givenSoundsAlike: true,
    namesSwapped: false,
    candidateGiven: 'anna',
    emailSame: false,
    phoneSame: false,
    addressSimilarity: 0,
    ...overrides,
  });

  test('the same names and birth date are a duplicate, each field explained', () => {
    const { grade, contributions } = scoreCandidate(probe, candidate());
    assert.ok(grade === 'certain' || grade === 'probable');
    assert.deepEqual(contributions.map((c) => c.agreement), ['family exact', 'given exact', 'exact']);
  });

  test('a twin (another given name, all else the same) is at most possible', () => {
    const { grade } = scoreCandidate(probe, candidate({ candidateGiven: 'beatriz', givenDistance: 6, givenSoundsAlike: false }));
    assert.equal(grade, 'possible');
  });

  test('a parent of the same name (another birth year) is at most possible', () => {
    const { grade } = scoreCandidate(probe, candidate({}, { date_of_birth: '1958-11-20' }));
    assert.equal(grade, 'possible');
  });

  test('a shared identifier is certain whatever else differs', () => {
    const { grade, score } = scoreCandidate(probe, candidate({ sharedIdentifier: true, candidateGiven: 'zed', givenDistance: 4, familyDistance: 6, familySoundsAlike: false }, { date_of_birth: '1999-01-01' }));
    assert.equal(grade, 'certain');
    assert.equal(score, 1);
  });

  test('a nickname counts as the given name', () => {
    const { contributions } = scoreCandidate({ ...probe, given: 'William' }, candidate({ candidateGiven: 'bill', givenDistance: 6, givenSoundsAlike: false }));
    assert.ok(contributions.some((c) => c.agreement === 'given nickname'));
  });
});
