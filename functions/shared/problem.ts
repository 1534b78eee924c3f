/** Turns any error into an RFC 9457 application/problem+json response; 5xx details never leak. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError } from './errors.js';

export const PROBLEM_TYPE_BASE = 'https://patient-management.dev/problems/';

export function problemResponse(error: unknown, requestId: string): APIGatewayProxyStructuredResultV2 {
  const known = error instanceof AppError ? error : undefined;
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
