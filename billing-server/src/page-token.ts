/**
 * Opaque ListInvoices page tokens. A token carries the account it was issued for and the sequence of the last
 * invoice on its page (keyset paging: stable while new invoices arrive, no OFFSET scans).
 */
import { InvalidBillingRequestError } from './billing.errors.js';

// invoices.sequence is a bigint identity: a larger value would reach PostgreSQL and fail there (22003).
const MAX_SEQUENCE = 9_223_372_036_854_775_807n;

interface InvoicePageCursor {
  accountId: string;
  /** Invoices with a smaller sequence come next (newest first). */
  beforeSequence: string;
}

export function encodeInvoicePageToken(cursor: InvoicePageCursor): string {
  return Buffer.from(`v1:${cursor.accountId}:${cursor.beforeSequence}`, 'utf8').toString('base64url');
}

/** Undefined for the first page (empty token). */
export function decodeInvoicePageToken(token: string, accountId: string): InvoicePageCursor | undefined {
  if (token === '') return undefined;
  const match = /^v1:([0-9a-f-]{36}):(\d{1,19})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  const sequence = match?.[2];
  if (!match || match[1] !== accountId || sequence === undefined || BigInt(sequence) > MAX_SEQUENCE) {
    throw new InvalidBillingRequestError('page_token is not a token returned by ListInvoices for this account');
  }
  return { accountId, beforeSequence: sequence };
}
