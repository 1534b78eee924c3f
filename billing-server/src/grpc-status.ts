/** Maps billing errors to gRPC statuses; anything unexpected becomes INTERNAL with its details withheld. */
import { status, type ServiceError } from '@grpc/grpc-js';
import {
  BillingAccountNotFoundError,
  BillingNotReadyError,
  BillingPreconditionError,
  IdempotencyKeyReusedError,
  InvalidBillingRequestError,
} from './billing.errors.js';

export interface CallOutcome {
  code: status;
  details: string;
  /** Only unexpected errors are worth a stack trace in the logs. */
  unexpected: boolean;
}

// SQLSTATE classes 08 (connection exception) and 57P (operator intervention): the database went away;
// 53 (insufficient resources: too many clients 53300…), 40001/40P01 (serialization, deadlock) and 55P03
// (lock not available): it is saturated. Either way the caller may retry: UNAVAILABLE, never INTERNAL.
const databaseUnavailable = /^(08|57P|53|40001$|40P01$|55P03$)/;
const networkFailures = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

export function outcomeOfError(err: unknown): CallOutcome {
  if (err instanceof InvalidBillingRequestError) return expected(status.INVALID_ARGUMENT, err.message);
  if (err instanceof BillingAccountNotFoundError) return expected(status.NOT_FOUND, err.message);
  if (err instanceof IdempotencyKeyReusedError) return expected(status.ALREADY_EXISTS, err.message);
  if (err instanceof BillingPreconditionError) return expected(status.FAILED_PRECONDITION, err.message);
  if (err instanceof BillingNotReadyError) return expected(status.UNAVAILABLE, err.message);
  const code = errorCode(err);
  if (code !== undefined && (databaseUnavailable.test(code) || networkFailures.has(code))) {
    return { code: status.UNAVAILABLE, details: 'billing database is unavailable', unexpected: true };
  }
  if (err instanceof Error && err.message.includes('timeout exceeded when trying to connect')) {
    return { code: status.UNAVAILABLE, details: 'billing database is unavailable', unexpected: true };
  }
  return { code: status.INTERNAL, details: 'internal error', unexpected: true };
}

export function toServiceError(outcome: CallOutcome): Partial<ServiceError> {
  return { code: outcome.code, details: outcome.details };
}

function expected(code: status, details: string): CallOutcome {
  return { code, details, unexpected: false };
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}
