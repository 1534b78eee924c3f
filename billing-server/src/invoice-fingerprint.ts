/**
 * A digest of what a CreateInvoice call asks for. Stored with the idempotency key, it tells a genuine retry
 * (same digest: return the first invoice) from a different request that reuses the key (a caller bug).
 */
import { createHash } from 'node:crypto';
import type { NewInvoice } from './billing.model.js';

export function fingerprintInvoiceRequest(invoice: NewInvoice): string {
  const canonical = JSON.stringify([
    invoice.currency,
    invoice.lineItems.map((item) => [item.description, item.quantity, item.unitAmount]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
