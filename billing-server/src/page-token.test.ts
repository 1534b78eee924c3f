import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeInvoicePageToken, encodeInvoicePageToken } from './page-token.js';

const accountId = '3f1c2a9e-5b7d-4c1e-9a8f-0d2b4c6e8a10';
const otherAccountId = '9a8f0d2b-4c6e-4a10-8f1c-2a9e5b7d4c1e';

test('a page token decodes to the cursor it was made from', () => {
  const token = encodeInvoicePageToken({ accountId, beforeSequence: '42' });
  assert.deepEqual(decodeInvoicePageToken(token, accountId), { accountId, beforeSequence: '42' });
});

test('an empty token means the first page', () => {
  assert.equal(decodeInvoicePageToken('', accountId), undefined);
});

test('a token issued for another account is rejected', () => {
  const token = encodeInvoicePageToken({ accountId: otherAccountId, beforeSequence: '42' });
  assert.throws(() => decodeInvoicePageToken(token, accountId), /page_token/);
});

test('garbage is rejected', () => {
  assert.throws(() => decodeInvoicePageToken('%%%not-base64', accountId), /page_token/);
});

test('a token whose sequence is beyond the bigint range is rejected before it reaches the database', () => {
  const token = encodeInvoicePageToken({ accountId, beforeSequence: '9999999999999999999' });
  assert.throws(() => decodeInvoicePageToken(token, accountId), /page_token/);
});

test('a token at the largest bigint sequence is accepted', () => {
  const token = encodeInvoicePageToken({ accountId, beforeSequence: '9223372036854775807' });
  assert.equal(decodeInvoicePageToken(token, accountId)?.beforeSequence, '9223372036854775807');
});
