/**
 * Invoice arithmetic in integer minor units. Sums are computed with bigint and must stay within
 * Number.MAX_SAFE_INTEGER, because int64 fields travel as JS numbers (ts-proto forceLong=number).
 */
import { InvalidBillingRequestError } from './billing.errors.js';

export interface PricedQuantity {
  quantity: number;
  unitAmount: number;
}

export function computeInvoiceTotal(lineItems: readonly PricedQuantity[]): number {
  let total = 0n;
  for (const item of lineItems) total += BigInt(item.quantity) * BigInt(item.unitAmount);
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidBillingRequestError(`invoice total must not exceed ${Number.MAX_SAFE_INTEGER} minor units`);
  }
  return Number(total);
}
