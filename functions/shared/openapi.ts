/**
 * Request validation from openapi.yaml, the one source of truth for the API's shapes. The validators are
 * Ajv standalone code generated from it at build time (scripts/openapi-validators.ts, run by
 * `npm run generate`): no schema is compiled at cold start and no function carries Ajv's compiler.
 * A handler names its operation from operations.ts. `generated/openapi.json` is openapi.yaml as JSON,
 * served at /api-docs/openapi.json.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import spec from './generated/openapi.json' with { type: 'json' };
import { validationFailed, type FieldError } from './errors.js';

export const openApiDocument = spec;

/** One openapi.yaml operation's request validators (functions/shared/operations.ts). */
export interface Operation {
  /** "<METHOD> <path>", e.g. "GET /api/patients/{id}". */
  name: string;
  path: ValidateFunction;
  query: ValidateFunction;
  /** The JSON request body's schema, when the operation takes one. */
  body?: ValidateFunction;
}

/** At most this many field errors are reported: a hostile body can carry a hundred thousand bad fields. */
export const MAX_FIELD_ERRORS = 20;

/** Validates `value` against the operation's request body schema; returns the field errors (empty when valid). */
export function validateBody(operation: Operation, value: unknown): FieldError[] {
  const validate = operation.body;
  if (!validate) throw new Error(`openapi.yaml declares no JSON request body for ${operation.name}`);
  if (validate(value)) return [];
  return firstPerField((validate.errors ?? []).map((error) => toFieldError(error, '')));
}

/** One error per field (a value can break several rules, e.g. format and pattern), at most MAX_FIELD_ERRORS. */
function firstPerField(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((error) => !seen.has(error.field) && seen.add(error.field)).slice(0, MAX_FIELD_ERRORS);
}

function toFieldError(error: ErrorObject, location: string): FieldError {
  const params = error.params as Record<string, unknown>;
  let pointer = error.instancePath;
  let message = error.message ?? 'is invalid';
  if (error.keyword === 'required') pointer += `/${String(params.missingProperty)}`;
  if (error.keyword === 'additionalProperties' || error.keyword === 'unevaluatedProperties') {
    pointer += `/${String(params.additionalProperty ?? params.unevaluatedProperty)}`;
    message = 'is not a known property';
  }
  if (error.keyword === 'format') message = `must be a valid ${String(params.format)}`;
  // A pattern means little to a reader; the schema's description says what it requires.
  const description = (error.parentSchema as { description?: string } | undefined)?.description;
  if (error.keyword === 'pattern' && description) message = `is not valid: ${description}`;
  const field = `${location}${pointer}` || '/';
  return { field, message };
}

export interface RequestParameters {
  query: Record<string, unknown>;
  path: Record<string, unknown>;
}

/** Validates and coerces an event's query and path parameters against the operation in openapi.yaml. */
export function validateParameters(
  operation: Operation,
  event: { queryStringParameters?: Record<string, string | undefined>; pathParameters?: Record<string, string | undefined> },
): RequestParameters {
  const query: Record<string, unknown> = { ...(event.queryStringParameters ?? {}) };
  const pathValues: Record<string, unknown> = { ...(event.pathParameters ?? {}) };
  const errors: FieldError[] = [];
  for (const [location, values] of [['path', pathValues], ['query', query]] as const) {
    const validate = operation[location];
    if (!validate(values)) errors.push(...(validate.errors ?? []).map((error) => toFieldError(error, `${location}.`)));
  }
  if (errors.length > 0) throw validationFailed(firstPerField(errors.map((e) => ({ ...e, field: e.field.replace('./', '.') }))));
  return { query, path: pathValues };
}
