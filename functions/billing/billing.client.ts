/**
 * The functions' client of the billing gRPC server. One connection per Lambda container, opened on first use
 * and reused by later invocations; every call carries a deadline so a slow or absent billing server costs a
 * bounded amount of the function's time. Messages are the types generated from proto/billing.proto; the
 * calls go through grpc-unary.ts (gRPC over node:http2, small enough for a function's bundle budget).
 */
import {
  BillingServiceDefinition,
  type AccountMerge,
  type BillingResponse,
  type CreateInvoiceRequest,
  type GetBillingAccountResponse,
  type Invoice,
  type ListInvoicesResponse,
} from '../../proto/generated/messages/billing.js';
import { config } from '../shared/config.js';
import { GrpcCallError, GrpcChannel, status, type UnaryMethod } from './grpc-unary.js';

export type { AccountMerge, BillingResponse, CreateInvoiceRequest, GetBillingAccountResponse, Invoice, ListInvoicesResponse };
/** gRPC status codes, for callers that tell one refusal from another (e.g. ALREADY_EXISTS). */
export { status };

export interface BillingCallOptions {
  /** Time the whole call (retries included) may take; 2 s by default. */
  deadlineMs?: number;
}

/** The patient has no billing account (gRPC NOT_FOUND). */
export class BillingAccountNotFoundError extends Error {
  override readonly name = 'BillingAccountNotFoundError';
}

/** The billing server could not be reached or did not answer in time: worth retrying later. */
export class BillingUnavailableError extends Error {
  override readonly name = 'BillingUnavailableError';
}

const defaultDeadlineMs = 2_000;
const methods = BillingServiceDefinition.methods;

let channel: GrpcChannel | undefined;

function billingChannel(): GrpcChannel {
  // Every BillingService method is idempotent (per patient, per account, per idempotency key), so a call that
  // failed UNAVAILABLE (e.g. on a connection that died while the container was frozen) is safe to retry.
  channel ??= new GrpcChannel(config.billing.grpcAddress, BillingServiceDefinition.fullName, {
    maxAttempts: 3,
    initialBackoffMs: 50,
    maxBackoffMs: 400,
  });
  return channel;
}

/** Closes the connection; the next call opens a new one. For tests and orderly process exits. */
export function closeBillingClient(): void {
  channel?.close();
  channel = undefined;
}

export function createBillingAccount(
  account: { patientId: string; name: string; email: string },
  options: BillingCallOptions = {},
): Promise<BillingResponse> {
  return callBilling(methods.createBillingAccount, account, options);
}

/** Rejects with BillingAccountNotFoundError when the patient has no account. */
export function getBillingAccount(patientId: string, options: BillingCallOptions = {}): Promise<GetBillingAccountResponse> {
  return callBilling(methods.getBillingAccount, { patientId }, options);
}

/** Newest first. An empty `nextPageToken` in the answer means the last page. */
export function listInvoices(
  accountId: string,
  page: { pageSize?: number; pageToken?: string } & BillingCallOptions = {},
): Promise<ListInvoicesResponse> {
  const request = { accountId, pageSize: page.pageSize ?? 0, pageToken: page.pageToken ?? '' };
  return callBilling(methods.listInvoices, request, page);
}

/** Retrying with the same idempotencyKey returns the first invoice instead of creating another. */
export async function createInvoice(request: CreateInvoiceRequest, options: BillingCallOptions = {}): Promise<Invoice> {
  const response = await callBilling(methods.createInvoice, request, options);
  if (!response.invoice) throw new Error('billing server answered CreateInvoice without an invoice');
  return response.invoice;
}

/**
 * The billing side of a patient merge (`undo: false`) or of its undo (`undo: true`): the source's invoices move
 * to the target's account, or back. Idempotent per mergeId: a retry answers the same and moves nothing again.
 * Rejects with a GrpcCallError FAILED_PRECONDITION when an account is merged under another merge, and
 * ALREADY_EXISTS when the mergeId was used for other patients.
 */
export async function mergeBillingAccounts(
  merge: { mergeId: string; sourcePatientId: string; targetPatientId: string; undo: boolean },
  options: BillingCallOptions = {},
): Promise<AccountMerge> {
  const response = await callBilling(methods.mergeAccounts, merge, options);
  if (!response.merge) throw new Error('billing server answered MergeAccounts without a merge');
  return response.merge;
}

async function callBilling<Request, Response>(method: UnaryMethod<Request, Response>, request: object, options: BillingCallOptions): Promise<Response> {
  try {
    return await billingChannel().call(method, request, options.deadlineMs ?? defaultDeadlineMs);
  } catch (error) {
    throw error instanceof GrpcCallError ? translateError(error) : error;
  }
}

function translateError(error: GrpcCallError): Error {
  switch (error.code) {
    case status.NOT_FOUND:
      return new BillingAccountNotFoundError(error.details, { cause: error });
    // Passing failures: the same call may well succeed later (the outbox retries them for as long as it takes).
    case status.UNAVAILABLE:
    case status.DEADLINE_EXCEEDED:
    case status.RESOURCE_EXHAUSTED:
    case status.ABORTED:
    case status.INTERNAL:
    case status.UNKNOWN:
      return new BillingUnavailableError(`billing server unavailable: ${error.message}`, { cause: error });
    default:
      return error;
  }
}
