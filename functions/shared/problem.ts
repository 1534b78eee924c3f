/** Turns any error into an RFC 9457 application/problem+json response; 5xx details never leak. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError, badRequest } from './errors.js';

export const PROBLEM_TYPE_BASE = 'https://patient-management.dev/problems/';

// PostgreSQL rejecting the text of a value (bad representation, bad date, NUL character): only client
// input can be malformed this way, so it is a 400. Out-of-range numbers and too-long strings are not
// mapped: no checked input can cause them, so they would be our bugs.
const INVALID_VALUE_SQLSTATES = new Set(['22P02', '22007', '22008', '22021']);

export function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && INVALID_VALUE_SQLSTATES.has(code)) return badRequest('A value in the request is not acceptable.');
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
