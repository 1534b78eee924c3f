/**
 * The one place that reads the API's problem+json (RFC 9457). Pages get an ApiError from the client and ask
 * `formErrors` which message goes on which field; they never look inside a problem themselves.
 */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    readonly retryAfterSeconds?: number,
  ) {
    super(problem?.detail ?? problem?.title ?? `The server answered ${status}`);
    this.name = 'ApiError';
  }
}

function isProblem(body: unknown): body is Problem {
  return typeof body === 'object' && body !== null && ('title' in body || 'status' in body || 'errors' in body);
}

/** Turns an openapi-fetch error result into an ApiError. */
export function toApiError(response: Response, body: unknown): ApiError {
  const retryAfter = Number(response.headers.get('Retry-After'));
  return new ApiError(response.status, isProblem(body) ? body : undefined, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
}

/** `/email` → `email`, `/lineItems/0/description` → `lineItems`, `query.name` → `name`. */
export function fieldName(pointer: string): string {
  return fieldPath(pointer)[0] ?? '';
}

/** The segments of a JSON pointer (`/identifiers/0/value` → identifiers, 0, value) or of `query.name` (→ name). */
function fieldPath(pointer: string): string[] {
  if (pointer.startsWith('/')) return pointer.slice(1).split('/').map((segment) => decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~'));
  const dot = pointer.indexOf('.');
  return [dot >= 0 ? pointer.slice(dot + 1) : pointer];
}

/** The problem's stable machine code: the last segment of its `type` (`…/problems/email-taken` → `email-taken`). */
export function problemCode(problem: Problem | undefined): string | undefined {
  return problem?.type?.split('/').at(-1) || undefined;
}

/**
 * A form's field names, as Mantine's form paths: `email`, or `identifiers.*.value` for a field of each item of a
 * list (`*` stands for the item's index).
 */
export type FieldKey<F extends string> = F extends `${infer Before}*${infer After}` ? `${Before}${number}${After}` : F;

/** The most specific of the form's fields a pointer reaches: `/identifiers/0/value` → `identifiers.0.value`, else `identifiers`. */
function formField<F extends string>(pointer: string, formFields: readonly F[]): FieldKey<F> | undefined {
  const segments = fieldPath(pointer);
  for (let length = segments.length; length > 0; length -= 1) {
    const path = segments.slice(0, length);
    const matches = (field: string) => {
      const parts = field.split('.');
      return parts.length === path.length && parts.every((part, i) => part === path[i] || (part === '*' && /^\d+$/.test(path[i] ?? '')));
    };
    if (formFields.some(matches)) return path.join('.') as FieldKey<F>;
  }
  return undefined;
}

export interface FormErrors<F extends string> {
  /** Messages for fields the form shows. */
  fields: Partial<Record<FieldKey<F>, string>>;
  /** What the form cannot put on a field (a general message), if anything. */
  message?: string;
}

/** Messages people read for statuses that carry no field errors. */
const statusMessages: Record<number, string> = {
  401: 'Your session has ended. Sign in again.',
  403: 'Your role may not do this.',
  404: 'This record does not exist (any more).',
  413: 'This is too large to save.',
  429: 'Too many attempts. Wait a moment and try again.',
  503: 'A service this needs is temporarily unavailable. Try again shortly.',
};

/**
 * Which message goes on which of the form's fields. A 409 goes on the field it is about: `conflictField` names it
 * (the email of a patient or a user), or maps problem codes to fields (`{ 'identifier-taken': 'identifiers' }`,
 * other codes becoming the general message). Errors on fields the form does not have become the general message.
 */
export function formErrors<F extends string>(
  error: unknown,
  formFields: readonly F[],
  conflictField?: F | Partial<Record<string, F>>,
): FormErrors<F> {
  if (!(error instanceof ApiError)) return { fields: {}, message: 'The server could not be reached. Check the connection and try again.' };
  const fields: Partial<Record<FieldKey<F>, string>> = {};
  const unplaced: string[] = [];
  for (const { field, message } of error.problem?.errors ?? []) {
    const key = formField(field, formFields);
    if (key !== undefined) fields[key] ??= message;
    else unplaced.push(message);
  }
  const conflictOn = typeof conflictField === 'object' ? conflictField[problemCode(error.problem) ?? ''] : conflictField;
  if (error.status === 409 && conflictOn && Object.keys(fields).length === 0) {
    fields[conflictOn as FieldKey<F>] = error.problem?.detail ?? 'Already in use.';
  }
  if (Object.keys(fields).length > 0) return unplaced.length > 0 ? { fields, message: unplaced.join(' ') } : { fields };
  if (unplaced.length > 0) return { fields, message: unplaced.join(' ') };
  return { fields, message: error.problem?.detail ?? statusMessages[error.status] ?? error.message };
}
