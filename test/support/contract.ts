/**
 * Checks an HTTP response against openapi.yaml: the status must be documented for the operation,
 * and the body must match the documented schema for its content type (an HTML page must be a whole HTML
 * document). Failure messages quote the response with its tokens and cookie values redacted.
 */
import assert, { AssertionError } from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import spec from '../../functions/shared/generated/openapi.json' with { type: 'json' };
import { redactSecrets } from './redact.js';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema(spec, 'openapi');

type Json = Record<string, unknown>;

function pointer(...segments: string[]): string {
  return segments.map((s) => s.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
}

/** Follows `$ref`s (JSON pointers into openapi.yaml) to the node they name. */
export function resolveRef(node: Json): Json {
  let current = node;
  while (typeof current.$ref === 'string') {
    const parts = current.$ref.replace('#/', '').split('/').map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
    current = parts.reduce<Json>((acc, part) => acc[part] as Json, spec as unknown as Json);
  }
  return current;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** Asserts that `response` is a documented answer of `method pathTemplate` and its body matches the schema. */
export function assertMatchesContract(response: ApiResponse, method: string, pathTemplate: string): void {
  try {
    checkContract(response, method, pathTemplate);
  } catch (error) {
    // Rebuilt without `actual` and `expected`, which a reporter would print unredacted.
    if (error instanceof AssertionError) throw new AssertionError({ message: redactSecrets(error.message) });
    throw error;
  }
}

function checkContract(response: ApiResponse, method: string, pathTemplate: string): void {
  const paths = spec.paths as unknown as Record<string, Record<string, Json>>;
  const operation = paths[pathTemplate]?.[method.toLowerCase()];
  assert.ok(operation, `${method} ${pathTemplate} is not in openapi.yaml`);
  const responses = operation.responses as Record<string, Json>;
  const documented = responses[String(response.status)];
  assert.ok(documented, `${method} ${pathTemplate} answered ${response.status}, which openapi.yaml does not document; body: ${response.text.slice(0, 300)}`);
  const content = resolveRef(documented).content as Record<string, Json> | undefined;
  if (!content) {
    assert.ok(response.text === '', `${response.status} is documented without a body; body: ${response.text.slice(0, 300)}`);
    return;
  }
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const media = content[contentType];
  assert.ok(media, `${method} ${pathTemplate} ${response.status} answered ${contentType}, documented: ${Object.keys(content).join(', ')}`);
  const responseKey = Object.keys(responses).find((k) => k === String(response.status))!;
  const schemaPath = `openapi#/paths/${pointer(pathTemplate)}/${method.toLowerCase()}/responses/${responseKey}`;
  const validate = typeof (documented as Json).$ref === 'string'
    ? ajv.getSchema(`openapi${String((documented as Json).$ref)}/content/${pointer(contentType)}/schema`)
    : ajv.getSchema(`${schemaPath}/content/${pointer(contentType)}/schema`);
  assert.ok(validate, `no schema for ${method} ${pathTemplate} ${response.status} ${contentType}`);
  if (contentType === 'text/html') {
    assert.ok(validate(response.text), `${method} ${pathTemplate} ${response.status} HTML does not match openapi.yaml: ${ajv.errorsText(validate.errors)}`);
    assertIsHtmlDocument(response.text, `${method} ${pathTemplate} ${response.status}`);
    return;
  }
  assert.ok(validate(response.body), `${method} ${pathTemplate} ${response.status} body does not match openapi.yaml: ${ajv.errorsText(validate.errors)}; body: ${response.text.slice(0, 300)}`);
}

/** A whole HTML document, not a fragment or an error text served as text/html: doctype, html, head with a title, body. */
function assertIsHtmlDocument(text: string, what: string): void {
  const problems = [
    [/^\s*<!doctype html>/i, 'begins with <!doctype html>'],
    [/<html[\s>][\s\S]*<\/html>\s*$/i, 'has an <html> element that ends the document'],
    [/<head[\s>][\s\S]*<title>[^<]+<\/title>[\s\S]*<\/head>/i, 'has a <head> with a non-empty <title>'],
    [/<body[\s>][\s\S]*<\/body>/i, 'has a <body>'],
  ] as const;
  const missing = problems.filter(([pattern]) => !pattern.test(text)).map(([, rule]) => rule);
  assert.deepEqual(missing, [], `${what} is not a whole HTML document; body: ${text.slice(0, 300)}`);
}
