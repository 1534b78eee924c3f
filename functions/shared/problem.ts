/** Turns any error into an RFC 9457 application/problem+json response; 5xx details never leak. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError, badRequest, serviceUnavailable } from './errors.js';

export const PROBLEM_TYPE_BASE = 'https://patient-management.dev/problems/';

// PostgreSQL rejecting the text of a value (bad representation, bad date, NUL character): only client
// input can be malformed this way, so it is a 400. Out-of-range numbers and too-long strings are not
// mapped: no checked input can cause them, so they would be our bugs.
const INVALID_VALUE_SQLSTATES = new Set(['22P02', '22007', '22008', '22021']);

/**
 * The database is saturated or briefly away: too many clients (53300), starting up or shutting down
 * (57P03, 57P01), connection failures (08xxx), a lost serialization race or deadlock (40001, 40P01), a
 * lock or statement timeout (55P03, 57014). The transaction rolled back, so nothing is half-written
 * and the same request may simply be sent again.
 */
const TRANSIENT_SQLSTATES = new Set(['53300', '53400', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '40001', '40P01', '55P03', '57014']);
const TRANSIENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);
// pg-pool and pg raise these without a code when no connection can be had in time.
const TRANSIENT_MESSAGES = /timeout exceeded when trying to connect|Connection terminated|connection timeout/i;

export function isTransientDatabaseError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') return TRANSIENT_SQLSTATES.has(code) || TRANSIENT_NETWORK_CODES.has(code);
  return typeof message === 'string' && TRANSIENT_MESSAGES.test(message);
}

export const databaseBusy = () => serviceUnavailable('The database is busy or briefly unavailable; retry shortly.', 2);

/**
 * middy answers 250 ms before the function's timeout (its timeoutEarly, http.ts) with this error: the work waited too long on
 * something (a lock, a saturated database). The client may retry, as API Gateway tells it when a function times out.
 */
function isMiddyTimeout(error: unknown): boolean {
  const { name, cause } = (error ?? {}) as { name?: unknown; cause?: { package?: unknown } };
  return name === 'TimeoutError' && cause?.package === '@middy/core';
}

export function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (isMiddyTimeout(error)) return serviceUnavailable('The request took too long to complete; retry shortly.', 2);
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && INVALID_VALUE_SQLSTATES.has(code)) return badRequest('A value in the request is not acceptable.');
  if (isTransientDatabaseError(error)) return databaseBusy();
  return undefined;
}

export function problemResponse(error: unknown, requestId: string): APIGatewayProxyStructuredResultV2 {
  const known = toAppError(error);
  const status = known?.status ?? 500;
  const code = known?.code ?? 'internal-error';
  const body = {
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title: known?.title ?? 'Internal server error',
    status,
    detail: known?.expose ? known.message : 'An unexpected error occurred; it has been logged.',
    ...(known?.errors ? { errors: known.errors } : {}),
    requestId,
  };
  return {
    statusCode: status,
    headers: { 'Content-Type': 'application/problem+json', ...(known?.headers ?? {}) },
    body: JSON.stringify(body),
  };
}
