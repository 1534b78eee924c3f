import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidBillingRequestError } from './billing.errors.js';
import { computeInvoiceTotal } from './money.js';

test('the total is the sum of quantity times unit amount, in integer minor units', () => {
  assert.equal(computeInvoiceTotal([{ quantity: 3, unitAmount: 1_999 }, { quantity: 1, unitAmount: 1 }]), 5_998);
});

test('amounts that are inexact as floating point add up exactly', () => {
  // 0.1 + 0.2 !== 0.3 in floating point; 10 + 20 minor units is exactly 30.
  assert.equal(computeInvoiceTotal([{ quantity: 1, unitAmount: 10 }, { quantity: 1, unitAmount: 20 }]), 30);
});

test('an empty list totals zero', () => {
  assert.equal(computeInvoiceTotal([]), 0);
});

test('a total beyond Number.MAX_SAFE_INTEGER is rejected rather than rounded', () => {
  assert.throws(
    () => computeInvoiceTotal([{ quantity: 2, unitAmount: Number.MAX_SAFE_INTEGER }]),
    InvalidBillingRequestError,
  );
});
