/**
 * The one error type. `status` and a stable machine `code` travel to the client as RFC 9457
 * problem+json (see problem.ts); `expose` says whether the message may be shown. Anything that is
 * not an AppError is an internal error and its details never reach the client.
 */
export interface FieldError {
  /** JSON pointer-ish location of the offending value, e.g. `/email` or `query.limit`. */
  field: string;
  message: string;
}

export interface AppErrorOptions {
  errors?: FieldError[];
  headers?: Record<string, string>;
  expose?: boolean;
}

export class AppError extends Error {
  readonly expose: boolean;
  readonly errors?: FieldError[];
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
    options: AppErrorOptions = {},
  ) {
    super(detail);
    this.name = 'AppError';
    this.expose = options.expose ?? status < 500;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

export const badRequest = (detail: string) => new AppError(400, 'bad-request', 'Bad request', detail);
export const validationFailed = (errors: FieldError[]) =>
  new AppError(400, 'validation-failed', 'Validation failed', 'The request is not valid; see `errors`.', { errors });
export const unauthorized = (detail = 'A valid bearer token is required.') =>
  new AppError(401, 'unauthorized', 'Unauthorized', detail, { headers: { 'WWW-Authenticate': 'Bearer' } });
export const invalidCredentials = () =>
  new AppError(401, 'invalid-credentials', 'Unauthorized', 'Email or password is incorrect.');
export const invalidRefreshToken = () =>
  new AppError(401, 'invalid-refresh-token', 'Unauthorized', 'The refresh token is invalid, expired or already used.');
export const forbidden = (detail = 'The token does not grant the scope this operation needs.') =>
  new AppError(403, 'forbidden', 'Forbidden', detail);
export const notFound = (detail = 'The resource does not exist.') => new AppError(404, 'not-found', 'Not found', detail);
export const methodNotAllowed = (allow: string[]) =>
  new AppError(405, 'method-not-allowed', 'Method not allowed', 'This route does not support the method.', {
    headers: { Allow: allow.join(', ') },
  });
export const conflict = (code: string, detail: string) => new AppError(409, code, 'Conflict', detail);
export const preconditionFailed = () =>
  new AppError(412, 'precondition-failed', 'Precondition failed', 'The record changed since it was read (If-Match does not match the current ETag).');
export const payloadTooLarge = (limit: number) =>
  new AppError(413, 'payload-too-large', 'Payload too large', `The request body exceeds ${limit} bytes.`);
export const unsupportedMediaType = () =>
  new AppError(415, 'unsupported-media-type', 'Unsupported media type', 'The request body must be application/json.');
export const tooManyRequests = (retryAfterSeconds: number) =>
  new AppError(429, 'too-many-requests', 'Too many requests', 'Too many failed attempts; try again later.', {
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });
export const serviceUnavailable = (detail: string, retryAfterSeconds = 5) =>
  new AppError(503, 'service-unavailable', 'Service unavailable', detail, {
    expose: true,
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });
