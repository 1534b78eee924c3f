/**
 * Request validation from openapi.yaml, the one source of truth for the API's shapes. The validators are
 * Ajv standalone code generated from it at build time (scripts/openapi-validators.ts, run by
 * `npm run generate`): no schema is compiled at cold start and no function carries Ajv's compiler.
 * `generated/openapi.json` is openapi.yaml as JSON, served at /api-docs/openapi.json.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import spec from './generated/openapi.json' with { type: 'json' };
import { parameterValidators } from './generated/openapi-parameters.js';
import * as bodyValidators from './generated/openapi-schemas.js';
import { validationFailed, type FieldError } from './errors.js';

export const openApiDocument = spec;

const bodies: Record<string, ValidateFunction | undefined> = bodyValidators;

/** At most this many field errors are reported: a hostile body can carry a hundred thousand bad fields. */
export const MAX_FIELD_ERRORS = 20;

/**
 * Validates `value` against the request body schema `components.schemas[schemaName]`; returns the field
 * errors (empty when valid).
 */
export function validateAgainst(schemaName: string, value: unknown, location = ''): FieldError[] {
  const validate = bodies[schemaName];
  if (!validate) throw new Error(`openapi.yaml has no request body schema components.schemas.${schemaName}`);
  if (validate(value)) return [];
  return firstPerField((validate.errors ?? []).map((error) => toFieldError(error, location)));
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
  path: string,
  method: 'get' | 'put' | 'post' | 'delete' | 'patch',
  event: { queryStringParameters?: Record<string, string | undefined>; pathParameters?: Record<string, string | undefined> },
): RequestParameters {
  const query: Record<string, unknown> = { ...(event.queryStringParameters ?? {}) };
  const pathValues: Record<string, unknown> = { ...(event.pathParameters ?? {}) };
  const errors: FieldError[] = [];
  for (const [location, values] of [['path', pathValues], ['query', query]] as const) {
    const validate = parameterValidators[`${method} ${path} ${location}`];
    if (!validate) throw new Error(`openapi.yaml has no operation ${method.toUpperCase()} ${path}`);
    if (!validate(values)) errors.push(...(validate.errors ?? []).map((error) => toFieldError(error, `${location}.`)));
  }
  if (errors.length > 0) throw validationFailed(firstPerField(errors.map((e) => ({ ...e, field: e.field.replace('./', '.') }))));
  return { query, path: pathValues };
}
