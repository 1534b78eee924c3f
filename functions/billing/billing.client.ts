/**
 * The functions' client of the billing gRPC server. One channel per Lambda container, created on first use and
 * reused by later invocations; every call carries a deadline so a slow or absent billing server costs a bounded
 * amount of the function's time. Messages are the types generated from proto/billing.proto.
 */
import * as grpc from '@grpc/grpc-js';
import {
  BillingServiceClient,
  type BillingResponse,
  type CreateInvoiceRequest,
  type GetBillingAccountResponse,
  type Invoice,
  type ListInvoicesResponse,
} from '../../proto/generated/billing.js';
import { config } from '../shared/config.js';

export type { BillingResponse, CreateInvoiceRequest, GetBillingAccountResponse, Invoice, ListInvoicesResponse };

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
const serviceName = BillingServiceClient.serviceName;

const channelOptions: grpc.ClientOptions = {
  // Pings keep the connection through NAT and load balancer idle timeouts and reveal dead peers.
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  // Reconnect quickly after the billing server restarts instead of backing off for up to two minutes.
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 2_000,
  // Every BillingService method is idempotent (per patient, per account, per idempotency key), so a call that
  // failed UNAVAILABLE (e.g. on a connection that died while the container was frozen) is safe to retry.
  'grpc.service_config': JSON.stringify({
    methodConfig: [
      {
        name: [{ service: serviceName }],
        retryPolicy: {
          maxAttempts: 3,
          initialBackoff: '0.05s',
          maxBackoff: '0.4s',
          backoffMultiplier: 2,
          retryableStatusCodes: ['UNAVAILABLE'],
        },
      },
    ],
  }),
};

let client: BillingServiceClient | undefined;

function billingClient(): BillingServiceClient {
  client ??= new BillingServiceClient(config.billing.grpcAddress, grpc.credentials.createInsecure(), channelOptions);
  return client;
}

/** Closes the channel; the next call opens a new one. For tests and orderly process exits. */
export function closeBillingClient(): void {
  client?.close();
  client = undefined;
}

export function createBillingAccount(
  account: { patientId: string; name: string; email: string },
  options: BillingCallOptions = {},
): Promise<BillingResponse> {
  return callBilling<BillingResponse>(options, (c, metadata, callOptions, callback) =>
    c.createBillingAccount(account, metadata, callOptions, callback),
  );
}

/** Rejects with BillingAccountNotFoundError when the patient has no account. */
export function getBillingAccount(patientId: string, options: BillingCallOptions = {}): Promise<GetBillingAccountResponse> {
  return callBilling<GetBillingAccountResponse>(options, (c, metadata, callOptions, callback) =>
    c.getBillingAccount({ patientId }, metadata, callOptions, callback),
  );
}

/** Newest first. An empty `nextPageToken` in the answer means the last page. */
export function listInvoices(
  accountId: string,
  page: { pageSize?: number; pageToken?: string } & BillingCallOptions = {},
): Promise<ListInvoicesResponse> {
  const request = { accountId, pageSize: page.pageSize ?? 0, pageToken: page.pageToken ?? '' };
  return callBilling<ListInvoicesResponse>(page, (c, metadata, callOptions, callback) =>
    c.listInvoices(request, metadata, callOptions, callback),
  );
}

/** Retrying with the same idempotencyKey returns the first invoice instead of creating another. */
export async function createInvoice(request: CreateInvoiceRequest, options: BillingCallOptions = {}): Promise<Invoice> {
  const response = await callBilling<{ invoice?: Invoice }>(options, (c, metadata, callOptions, callback) =>
    c.createInvoice(request, metadata, callOptions, callback),
  );
  if (!response.invoice) throw new Error('billing server answered CreateInvoice without an invoice');
  return response.invoice;
}

type StartCall<Response> = (
  client: BillingServiceClient,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (error: grpc.ServiceError | null, response: Response) => void,
) => void;

function callBilling<Response>(options: BillingCallOptions, start: StartCall<Response>): Promise<Response> {
  const deadline = Date.now() + (options.deadlineMs ?? defaultDeadlineMs);
  return new Promise((resolve, reject) => {
    start(billingClient(), new grpc.Metadata(), { deadline }, (error, response) =>
      error ? reject(translateError(error)) : resolve(response),
    );
  });
}

function translateError(error: grpc.ServiceError): Error {
  switch (error.code) {
    case grpc.status.NOT_FOUND:
      return new BillingAccountNotFoundError(error.details, { cause: error });
    case grpc.status.UNAVAILABLE:
    case grpc.status.DEADLINE_EXCEEDED:
      return new BillingUnavailableError(`billing server unavailable: ${error.details}`, { cause: error });
    default:
      return error;
  }
}
