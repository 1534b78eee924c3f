/**
 * Errors of the billing domain. They know nothing about gRPC; billing.grpc.ts maps each to a status code.
 * Their messages are shown to callers, so they name fields, never a patient's name or email.
 */
export class InvalidBillingRequestError extends Error {
  override readonly name = 'InvalidBillingRequestError';
}

export class BillingAccountNotFoundError extends Error {
  override readonly name = 'BillingAccountNotFoundError';
}

/** An idempotency key (or merge_id) reused with a different payload: the caller has a bug, a retry cannot fix it. */
export class IdempotencyKeyReusedError extends Error {
  override readonly name = 'IdempotencyKeyReusedError';
}

/** The call conflicts with the state of the accounts (a merged account): retrying the same call cannot help. */
export class BillingPreconditionError extends Error {
  override readonly name = 'BillingPreconditionError';
}

/** The database is not migrated and reachable yet (the server is starting). */
export class BillingNotReadyError extends Error {
  override readonly name = 'BillingNotReadyError';
}
