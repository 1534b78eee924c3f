/**
 * Turns request messages into domain inputs, or fails with InvalidBillingRequestError naming every bad field.
 * Messages name fields and limits, never the rejected values (which may be a patient's name or email).
 */
import type { BillingRequest, CreateInvoiceRequest, ListInvoicesRequest, MergeAccountsRequest } from '../../proto/generated/billing.js';
import { InvalidBillingRequestError } from './billing.errors.js';
import type { AccountMergeRequest, InvoicePageRequest, NewBillingAccount, NewInvoice } from './billing.model.js';

export const limits = Object.freeze({
  nameLength: 200,
  emailLength: 254,
  lineItems: 100,
  descriptionLength: 500,
  quantity: 1_000_000,
  idempotencyKeyLength: 255,
  defaultPageSize: 20,
  maxPageSize: 100,
});

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Deliberately loose: one @, no spaces, a dot in the domain. Deliverability is not ours to judge.
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const currencyPattern = /^[A-Z]{3}$/;
// C0, DEL and C1 controls: never part of a name, an email or a description, and PostgreSQL text cannot hold NUL.
const controlCharacter = /\p{Cc}/u;
// Printable ASCII without spaces: UUIDs, ULIDs and "order-42:attempt" style keys all fit.
const idempotencyKeyPattern = /^[\x21-\x7e]+$/;

export function parseNewBillingAccount(request: BillingRequest): NewBillingAccount {
  const problems: string[] = [];
  checkUuid(problems, 'patient_id', request.patientId);
  const name = request.name.trim();
  if (name === '') problems.push('name is required');
  else if (controlCharacter.test(name)) problems.push('name must not contain control characters');
  else if (name.length > limits.nameLength) problems.push(`name must be at most ${limits.nameLength} characters`);
  const email = request.email.trim();
  if (email === '') problems.push('email is required');
  else if (controlCharacter.test(email)) problems.push('email must not contain control characters');
  else if (email.length > limits.emailLength || !emailPattern.test(email)) problems.push('email is not a valid email address');
  throwIfAny(problems);
  return { patientId: request.patientId.toLowerCase(), name, email };
}

export function parsePatientId(patientId: string): string {
  const problems: string[] = [];
  checkUuid(problems, 'patient_id', patientId);
  throwIfAny(problems);
  return patientId.toLowerCase();
}

export function parseNewInvoice(request: CreateInvoiceRequest): NewInvoice {
  const problems: string[] = [];
  checkUuid(problems, 'account_id', request.accountId);
  const key = request.idempotencyKey;
  if (key === '') problems.push('idempotency_key is required');
  else if (key.length > limits.idempotencyKeyLength || !idempotencyKeyPattern.test(key)) {
    problems.push(`idempotency_key must be 1-${limits.idempotencyKeyLength} printable ASCII characters without spaces`);
  }
  if (!currencyPattern.test(request.currency)) problems.push('currency must be an ISO 4217 code such as "EUR"');
  if (request.lineItems.length === 0) problems.push('line_items must not be empty');
  if (request.lineItems.length > limits.lineItems) problems.push(`line_items must have at most ${limits.lineItems} entries`);
  request.lineItems.slice(0, limits.lineItems).forEach((item, index) => {
    const field = `line_items[${index}]`;
    const description = item.description.trim();
    if (description === '') problems.push(`${field}.description is required`);
    else if (controlCharacter.test(description)) problems.push(`${field}.description must not contain control characters`);
    else if (description.length > limits.descriptionLength) {
      problems.push(`${field}.description must be at most ${limits.descriptionLength} characters`);
    }
    if (!(Number.isInteger(item.quantity) && item.quantity > 0 && item.quantity <= limits.quantity)) {
      problems.push(`${field}.quantity must be between 1 and ${limits.quantity}`);
    }
    if (!(Number.isSafeInteger(item.unitAmount) && item.unitAmount >= 0)) {
      problems.push(`${field}.unit_amount must be zero or more minor units`);
    }
  });
  throwIfAny(problems);
  return {
    accountId: request.accountId.toLowerCase(),
    idempotencyKey: key,
    currency: request.currency,
    lineItems: request.lineItems.map((item) => ({
      description: item.description.trim(),
      quantity: item.quantity,
      unitAmount: item.unitAmount,
    })),
  };
}

export function parseInvoicePageRequest(request: ListInvoicesRequest): InvoicePageRequest {
  const problems: string[] = [];
  checkUuid(problems, 'account_id', request.accountId);
  if (request.pageSize < 0) problems.push('page_size must not be negative');
  throwIfAny(problems);
  // Oversized pages are capped rather than rejected, as Google's API guidelines (AIP-158) suggest.
  const pageSize = request.pageSize === 0 ? limits.defaultPageSize : Math.min(request.pageSize, limits.maxPageSize);
  return { accountId: request.accountId.toLowerCase(), pageSize, pageToken: request.pageToken };
}

export function parseAccountMergeRequest(request: MergeAccountsRequest): AccountMergeRequest & { undo: boolean } {
  const problems: string[] = [];
  checkUuid(problems, 'merge_id', request.mergeId);
  checkUuid(problems, 'source_patient_id', request.sourcePatientId);
  checkUuid(problems, 'target_patient_id', request.targetPatientId);
  const sourcePatientId = request.sourcePatientId.toLowerCase();
  const targetPatientId = request.targetPatientId.toLowerCase();
  if (problems.length === 0 && sourcePatientId === targetPatientId) problems.push('source_patient_id and target_patient_id must differ');
  throwIfAny(problems);
  return { mergeId: request.mergeId.toLowerCase(), sourcePatientId, targetPatientId, undo: request.undo };
}

function checkUuid(problems: string[], field: string, value: string): void {
  if (value === '') problems.push(`${field} is required`);
  else if (!uuidPattern.test(value)) problems.push(`${field} must be a UUID`);
}

function throwIfAny(problems: string[]): void {
  if (problems.length > 0) throw new InvalidBillingRequestError(problems.join('; '));
}
