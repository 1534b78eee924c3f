/**
 * Request validation from openapi.yaml, the one source of truth for the API's shapes.
 * `generated/openapi.json` is openapi.yaml converted by `npm run openapi:json` (run by dev, test and build).
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import spec from './generated/openapi.json' with { type: 'json' };
import { validationFailed, type FieldError } from './errors.js';

// ajv-formats ships CommonJS whose default export TypeScript sees one level deep under NodeNext.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export const openApiDocument = spec;

const ajv = new Ajv2020({ allErrors: true, strict: false, coerceTypes: false, verbose: true });
addFormats(ajv, { mode: 'full', formats: ['date', 'date-time', 'email', 'uuid', 'uri'] });
ajv.addSchema({ $id: 'openapi', components: spec.components });

const compiled = new Map<string, ValidateFunction>();

function validatorFor(schemaName: string): ValidateFunction {
  let validate = compiled.get(schemaName);
  if (!validate) {
    validate = ajv.getSchema(`openapi#/components/schemas/${schemaName}`);
    if (!validate) throw new Error(`openapi.yaml has no schema components.schemas.${schemaName}`);
    compiled.set(schemaName, validate);
  }
  return validate;
}

/** At most this many field errors are reported: a hostile body can carry a hundred thousand bad fields. */
export const MAX_FIELD_ERRORS = 20;

/** Validates `value` against `components.schemas[schemaName]`; returns the field errors (empty when valid). */
export function validateAgainst(schemaName: string, value: unknown, location = ''): FieldError[] {
  const validate = validatorFor(schemaName);
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

// Query and path values arrive as strings; this instance coerces them to the declared types.
const coercing = new Ajv2020({ allErrors: true, strict: false, coerceTypes: true, verbose: true });
addFormats(coercing, { mode: 'full', formats: ['date', 'date-time', 'email', 'uuid'] });
coercing.addSchema({ $id: 'openapi', components: spec.components });

interface ParameterObject {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required?: boolean;
  schema?: object;
}

type Operation = { parameters?: (ParameterObject | { $ref: string })[] };

/** Resolves `#/components/parameters/X` references to the parameter they name. */
function resolveParameter(parameter: ParameterObject | { $ref: string }): ParameterObject {
  if (!('$ref' in parameter)) return parameter;
  const name = parameter.$ref.replace('#/components/parameters/', '');
  const resolved = (spec.components.parameters as Record<string, ParameterObject>)[name];
  if (!resolved) throw new Error(`openapi.yaml has no parameter ${parameter.$ref}`);
  return resolved;
}
const parameterValidators = new Map<string, ValidateFunction>();

function parameterValidator(path: string, method: string, location: 'query' | 'path'): ValidateFunction {
  const key = `${method} ${path} ${location}`;
  let validate = parameterValidators.get(key);
  if (!validate) {
    const paths = spec.paths as unknown as Record<string, Record<string, Operation>>;
    const operation = paths[path]?.[method];
    if (!operation) throw new Error(`openapi.yaml has no operation ${method.toUpperCase()} ${path}`);
    const parameters = (operation.parameters ?? []).map(resolveParameter).filter((p) => p.in === location);
    validate = coercing.compile({
      type: 'object',
      properties: Object.fromEntries(parameters.map((p) => [p.name, withRefsTo(p.schema ?? {})])),
      required: parameters.filter((p) => p.required).map((p) => p.name),
    });
    parameterValidators.set(key, validate);
  }
  return validate;
}

// Parameter schemas live outside components; their local refs must point into the registered document.
function withRefsTo(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/', '"$ref":"openapi#/')) as object;
}

export interface RequestParameters {
  query: Record<string, unknown>;
  path: Record<string, unknown>;
}

/** Validates and coerces an event's query and path parameters against the operation in openapi.yaml. */
export function validateParameters(
  path: string,
  method: 'get' | 'put' | 'post' | 'delete',
  event: { queryStringParameters?: Record<string, string | undefined>; pathParameters?: Record<string, string | undefined> },
): RequestParameters {
  const query: Record<string, unknown> = { ...(event.queryStringParameters ?? {}) };
  const pathValues: Record<string, unknown> = { ...(event.pathParameters ?? {}) };
  const errors: FieldError[] = [];
  for (const [location, values] of [['path', pathValues], ['query', query]] as const) {
    const validate = parameterValidator(path, method, location);
    if (!validate(values)) errors.push(...(validate.errors ?? []).map((error) => toFieldError(error, `${location}.`)));
  }
  if (errors.length > 0) throw validationFailed(firstPerField(errors.map((e) => ({ ...e, field: e.field.replace('./', '.') }))));
  return { query, path: pathValues };
}
