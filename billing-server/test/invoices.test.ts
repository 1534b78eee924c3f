import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import type { CreateInvoiceRequest } from '../../proto/generated/billing.js';
import { call, countRows, grpcError, startBillingTestServer, type BillingTestServer } from './support/billing-test-server.js';

describe('invoices over gRPC', () => {
  let billing: BillingTestServer;
  let accountId: string;
  before(async () => {
    billing = await startBillingTestServer();
    accountId = await openAccount();
  });
  after(async () => {
    await billing?.close();
  });

  async function openAccount(): Promise<string> {
    const request = { patientId: randomUUID(), name: 'Ada Lovelace', email: 'ada@example.org' };
    return (await call(billing.client.createBillingAccount.bind(billing.client), request)).accountId;
  }
  const createInvoice = (request: CreateInvoiceRequest) => call(billing.client.createInvoice.bind(billing.client), request);
  const listInvoices = (request: { accountId: string; pageSize: number; pageToken: string }) =>
    call(billing.client.listInvoices.bind(billing.client), request);
  const consultation = (idempotencyKey: string, account = accountId): CreateInvoiceRequest => ({
    accountId: account,
    idempotencyKey,
    currency: 'EUR',
    lineItems: [
      { description: 'Consultation', quantity: 1, unitAmount: 8_000 },
      { description: 'Blood test', quantity: 3, unitAmount: 1_999 },
    ],
  });

  test('CreateInvoice computes the total in minor units', async () => {
    const { invoice } = await createInvoice(consultation(randomUUID()));
    assert.ok(invoice);
    assert.equal(invoice.totalAmount, 8_000 + 3 * 1_999);
    assert.equal(invoice.currency, 'EUR');
    assert.equal(invoice.status, 'OPEN');
    assert.deepEqual(invoice.lineItems.map((item) => item.description), ['Consultation', 'Blood test']);
  });

  test('a retried CreateInvoice with the same idempotency key returns the first invoice and creates no second', async () => {
    const key = randomUUID();
    const first = await createInvoice(consultation(key));
    const retry = await createInvoice(consultation(key));
    assert.deepEqual(retry, first);
    assert.equal(await countRows(billing.sql, 'invoices', 'account_id = $1 and idempotency_key = $2', [accountId, key]), 1);
  });

  test('concurrent retries with one idempotency key create one invoice', async () => {
    const key = randomUUID();
    const responses = await Promise.all(Array.from({ length: 8 }, () => createInvoice(consultation(key))));
    assert.equal(new Set(responses.map((response) => response.invoice?.invoiceId)).size, 1);
    assert.equal(await countRows(billing.sql, 'invoices', 'idempotency_key = $1', [key]), 1);
  });

  test('the same idempotency key with a different payload is ALREADY_EXISTS', async () => {
    const key = randomUUID();
    await createInvoice(consultation(key));
    const different = { ...consultation(key), currency: 'USD' };
    await assert.rejects(createInvoice(different), grpcError(status.ALREADY_EXISTS, /idempotency_key/));
  });

  test('CreateInvoice for an unknown account is NOT_FOUND', async () => {
    await assert.rejects(createInvoice(consultation(randomUUID(), randomUUID())), grpcError(status.NOT_FOUND));
  });

  const invalid: Array<[string, (request: CreateInvoiceRequest) => CreateInvoiceRequest, RegExp]> = [
    ['no line items', (r) => ({ ...r, lineItems: [] }), /line_items must not be empty/],
    ['an empty description', (r) => ({ ...r, lineItems: [{ description: ' ', quantity: 1, unitAmount: 1 }] }), /description is required/],
    ['a zero quantity', (r) => ({ ...r, lineItems: [{ description: 'X', quantity: 0, unitAmount: 1 }] }), /quantity must be between/],
    ['a negative unit_amount', (r) => ({ ...r, lineItems: [{ description: 'X', quantity: 1, unitAmount: -5 }] }), /unit_amount/],
    ['a lowercase currency', (r) => ({ ...r, currency: 'eur' }), /currency must be an ISO 4217 code/],
    ['an empty idempotency key', (r) => ({ ...r, idempotencyKey: '' }), /idempotency_key is required/],
    ['a malformed account_id', (r) => ({ ...r, accountId: 'acc-1' }), /account_id must be a UUID/],
    [
      'too many line items',
      (r) => ({ ...r, lineItems: Array.from({ length: 101 }, () => ({ description: 'X', quantity: 1, unitAmount: 1 })) }),
      /at most 100/,
    ],
    [
      'a total beyond the safe integer range',
      (r) => ({ ...r, lineItems: [{ description: 'X', quantity: 1000, unitAmount: Number.MAX_SAFE_INTEGER }] }),
      /total must not exceed/,
    ],
    [
      'a NUL in a description',
      (r) => ({ ...r, lineItems: [{ description: 'Consultation\u0000', quantity: 1, unitAmount: 1 }] }),
      /line_items\[0\]\.description must not contain control characters/,
    ],
    ['a NUL in the currency', (r) => ({ ...r, currency: 'EU\u0000' }), /currency must be/],
    ['a NUL in the idempotency key', (r) => ({ ...r, idempotencyKey: 'visit\u00001' }), /idempotency_key must be/],
    [
      'a unit_amount that does not fit a JavaScript number',
      (r) => ({ ...r, lineItems: [{ description: 'X', quantity: 1, unitAmount: 2 ** 60 }] }),
      /could not be decoded/,
    ],
  ];
  for (const [what, change, details] of invalid) {
    test(`CreateInvoice with ${what} is INVALID_ARGUMENT`, async () => {
      await assert.rejects(createInvoice(change(consultation(randomUUID()))), grpcError(status.INVALID_ARGUMENT, details));
    });
  }

  test('ListInvoices pages through an account newest first, without gaps or repeats', async () => {
    const account = await openAccount();
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await createInvoice(consultation(`visit-${i}`, account))).invoice?.invoiceId ?? '');

    const seen: string[] = [];
    const pageSizes: number[] = [];
    let pageToken = '';
    do {
      const page = await listInvoices({ accountId: account, pageSize: 2, pageToken });
      pageSizes.push(page.invoices.length);
      seen.push(...page.invoices.map((invoice) => invoice.invoiceId));
      pageToken = page.nextPageToken;
    } while (pageToken !== '');

    assert.deepEqual(pageSizes, [2, 2, 1]);
    assert.deepEqual(seen, [...created].reverse());
  });

  test('ListInvoices of an account without invoices is an empty last page', async () => {
    const page = await listInvoices({ accountId: await openAccount(), pageSize: 0, pageToken: '' });
    assert.deepEqual(page, { invoices: [], nextPageToken: '' });
  });

  test('ListInvoices with a forged page token is INVALID_ARGUMENT', async () => {
    await assert.rejects(listInvoices({ accountId, pageSize: 2, pageToken: 'bm90LWEtdG9rZW4' }), grpcError(status.INVALID_ARGUMENT, /page_token/));
  });

  test('ListInvoices with a page token beyond the bigint range is INVALID_ARGUMENT', async () => {
    const pageToken = Buffer.from(`v1:${accountId}:9999999999999999999`, 'utf8').toString('base64url');
    await assert.rejects(listInvoices({ accountId, pageSize: 2, pageToken }), grpcError(status.INVALID_ARGUMENT, /page_token/));
  });

  test('ListInvoices of an unknown account is NOT_FOUND', async () => {
    await assert.rejects(listInvoices({ accountId: randomUUID(), pageSize: 2, pageToken: '' }), grpcError(status.NOT_FOUND));
  });
});
