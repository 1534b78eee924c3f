import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidBillingRequestError } from './billing.errors.js';
import { parseAccountMergeRequest, parseInvoicePageRequest, parseNewBillingAccount, parseNewInvoice } from './billing.validation.js';

const patientId = '3f1c2a9e-5b7d-4c1e-9a8f-0d2b4c6e8a10';
const validInvoice = {
  accountId: patientId,
  idempotencyKey: 'visit-1',
  currency: 'EUR',
  lineItems: [{ description: ' Consultation ', quantity: 2, unitAmount: 4_550 }],
};

describe('parseNewBillingAccount', () => {
  test('accepts a UUID, a name and an email, normalising case and whitespace', () => {
    const parsed = parseNewBillingAccount({ patientId: patientId.toUpperCase(), name: ' Ada ', email: 'ada@example.org ' });
    assert.deepEqual(parsed, { patientId, name: 'Ada', email: 'ada@example.org' });
  });

  test('reports every bad field at once, without echoing the values', () => {
    assert.throws(
      () => parseNewBillingAccount({ patientId: 'nope', name: '', email: 'ada.example.org' }),
      (err: Error) => {
        assert.ok(err instanceof InvalidBillingRequestError);
        assert.equal(err.message, 'patient_id must be a UUID; name is required; email is not a valid email address');
        return true;
      },
    );
  });

  const withControlCharacters: Array<[string, object, string]> = [
    ['a NUL in the name', { name: 'Ada\u0000Lovelace' }, 'name must not contain control characters'],
    ['a NUL in the email', { email: 'ada\u0000@example.org' }, 'email must not contain control characters'],
    ['an escape character in the name', { name: 'Ada\u001b[2J' }, 'name must not contain control characters'],
  ];
  for (const [what, change, message] of withControlCharacters) {
    test(`rejects ${what} without echoing it`, () => {
      const request = { patientId, name: 'Ada', email: 'ada@example.org', ...change };
      assert.throws(() => parseNewBillingAccount(request), (err: Error) => {
        assert.ok(err instanceof InvalidBillingRequestError);
        assert.equal(err.message, message);
        return true;
      });
    });
  }
});

describe('parseNewInvoice', () => {
  test('accepts a valid invoice and trims descriptions', () => {
    assert.equal(parseNewInvoice(validInvoice).lineItems[0]?.description, 'Consultation');
  });

  const invalid: Array<[string, object, RegExp]> = [
    ['a three-letter lowercase currency', { currency: 'eur' }, /currency/],
    ['a currency with digits', { currency: 'E1R' }, /currency/],
    ['an idempotency key with spaces', { idempotencyKey: 'a b' }, /idempotency_key/],
    ['a fractional quantity', { lineItems: [{ description: 'X', quantity: 1.5, unitAmount: 1 }] }, /line_items\[0\]\.quantity/],
    ['a fractional unit_amount', { lineItems: [{ description: 'X', quantity: 1, unitAmount: 0.5 }] }, /line_items\[0\]\.unit_amount/],
    ['a NUL in a description', { lineItems: [{ description: 'X\u0000', quantity: 1, unitAmount: 1 }] }, /line_items\[0\]\.description must not contain control characters/],
    ['a NUL in the currency', { currency: 'EU\u0000' }, /currency must be/],
    ['a NUL in the idempotency key', { idempotencyKey: 'visit\u00001' }, /idempotency_key must be/],
    ['a description that is too long', { lineItems: [{ description: 'x'.repeat(501), quantity: 1, unitAmount: 1 }] }, /description must be at most/],
  ];
  for (const [what, change, message] of invalid) {
    test(`rejects ${what}`, () => {
      assert.throws(() => parseNewInvoice({ ...validInvoice, ...change }), message);
    });
  }

  test('accepts a unit_amount of zero (a free item)', () => {
    assert.equal(parseNewInvoice({ ...validInvoice, lineItems: [{ description: 'Leaflet', quantity: 1, unitAmount: 0 }] }).lineItems.length, 1);
  });
});

describe('parseInvoicePageRequest', () => {
  test('uses the default page size for 0 and caps large ones', () => {
    assert.equal(parseInvoicePageRequest({ accountId: patientId, pageSize: 0, pageToken: '' }).pageSize, 20);
    assert.equal(parseInvoicePageRequest({ accountId: patientId, pageSize: 5_000, pageToken: '' }).pageSize, 100);
  });

  test('rejects a negative page size', () => {
    assert.throws(() => parseInvoicePageRequest({ accountId: patientId, pageSize: -1, pageToken: '' }), /page_size/);
  });
});

describe('parseAccountMergeRequest', () => {
  const mergeId = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';
  const targetPatientId = '5a0e3c1d-7b2f-4e6a-8c9d-1f2e3a4b5c62';

  test('accepts three UUIDs and the undo flag, normalising case', () => {
    const parsed = parseAccountMergeRequest({ mergeId: mergeId.toUpperCase(), sourcePatientId: patientId, targetPatientId, undo: true });
    assert.deepEqual(parsed, { mergeId, sourcePatientId: patientId, targetPatientId, undo: true });
  });

  test('reports every bad id at once', () => {
    assert.throws(
      () => parseAccountMergeRequest({ mergeId: '', sourcePatientId: 'p1', targetPatientId: '', undo: false }),
      /^InvalidBillingRequestError: merge_id is required; source_patient_id must be a UUID; target_patient_id is required$/,
    );
  });

  test('refuses a merge of a patient into itself, whatever the case of its id', () => {
    assert.throws(
      () => parseAccountMergeRequest({ mergeId, sourcePatientId: patientId, targetPatientId: patientId.toUpperCase(), undo: false }),
      /source_patient_id and target_patient_id must differ/,
    );
  });
});
