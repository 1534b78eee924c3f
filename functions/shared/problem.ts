/** Turns any error into an RFC 9457 application/problem+json response; 5xx details never leak. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError, badRequest } from './errors.js';

export const PROBLEM_TYPE_BASE = 'https://patient-management.dev/problems/';

// PostgreSQL rejecting a value (bad text representation, out of range, NUL character): whatever slipped
// past validation is still the client's input, so it is a 400, never a 500.
const INVALID_VALUE_SQLSTATES = new Set(['22P02', '22007', '22008', '22003', '22021', '22001']);

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
