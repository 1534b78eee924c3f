import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromMinorUnits, isKnownCurrency, toMinorUnits } from './money.js';

describe('toMinorUnits', () => {
  test('turns euros with cents into cents', () => {
    assert.deepEqual(toMinorUnits('123.45', 'EUR'), { ok: true, minorUnits: 12345 });
  });

  test('reads whole amounts and one decimal', () => {
    assert.deepEqual(toMinorUnits('12', 'EUR'), { ok: true, minorUnits: 1200 });
    assert.deepEqual(toMinorUnits('12.5', 'EUR'), { ok: true, minorUnits: 1250 });
  });

  test('uses the currency’s own number of minor digits', () => {
    assert.deepEqual(toMinorUnits('500', 'JPY'), { ok: true, minorUnits: 500 });
    assert.deepEqual(toMinorUnits('1.25', 'BHD'), { ok: true, minorUnits: 1250 });
  });

  test('refuses more decimals than the currency has, but not trailing zeros', () => {
    assert.equal(toMinorUnits('500.5', 'JPY').ok, false);
    assert.deepEqual(toMinorUnits('500.00', 'JPY'), { ok: true, minorUnits: 500 });
  });

  test('refuses zero', () => {
    assert.deepEqual(toMinorUnits('0.00', 'EUR'), { ok: false, message: 'must be greater than zero' });
  });

  test('refuses amounts beyond what a JavaScript number holds exactly', () => {
    assert.equal(toMinorUnits('999999999999.9999', 'CLF').ok, false);
  });

  test('never goes through binary floating point', () => {
    assert.deepEqual(toMinorUnits('0.29', 'EUR'), { ok: true, minorUnits: 29 });
    assert.deepEqual(toMinorUnits('1.15', 'EUR'), { ok: true, minorUnits: 115 });
  });
});

describe('fromMinorUnits', () => {
  test('shows cents as a two-decimal string', () => {
    assert.equal(fromMinorUnits(12345, 'EUR'), '123.45');
    assert.equal(fromMinorUnits(5, 'EUR'), '0.05');
  });

  test('shows currencies without minor units as whole numbers', () => {
    assert.equal(fromMinorUnits(500, 'JPY'), '500');
  });
});

describe('isKnownCurrency', () => {
  test('knows ISO 4217 codes and nothing else', () => {
    assert.equal(isKnownCurrency('EUR'), true);
    assert.equal(isKnownCurrency('XYZ'), false);
  });
});
