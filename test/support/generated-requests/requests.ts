/**
 * Requests for every operation of openapi.yaml, made by fast-check from the operation's own schemas: its path
 * and query parameters, headers and JSON body, each valid, at a bound, wrong, missing, extra, huge, deeply nested
 * or Unicode-edged; odd content types; with a valid token of each role, none or a forged one. A generated request
 * is plain data, so fast-check can print, shrink and replay it from its seed.
 */
import fc, { type Arbitrary } from 'fast-check';
import spec from '../../../functions/shared/generated/openapi.json' with { type: 'json' };
import { resolveRef } from '../contract.js';
import { hostileValue, HOSTILE_STRINGS, objectShape, validValue, type Schema } from './schema-values.js';

export interface Operation {
  method: string;
  /** The openapi.yaml path template, e.g. /api/patients/{id}. */
  template: string;
  parameters: Schema[];
  body?: Schema;
  secured: boolean;
}

export type Credential = 'admin' | 'clinician' | 'analyst' | 'none' | 'malformed' | 'forged' | 'basic';

export type Body =
  | { kind: 'json'; value: unknown }
  /** Text sent as is: broken JSON, deep nesting, duplicate or prototype keys, over the size limit. */
  | { kind: 'text'; text: string }
  /** Bytes that are not UTF-8. */
  | { kind: 'bytes'; base64: string };

export interface GeneratedRequest {
  method: string;
  template: string;
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  credential: Credential;
  body?: Body;
  contentType?: string;
}

/** Ids of records that exist, so that requests reach past "not found" into the rules. */
export interface KnownIds {
  patient: string[];
  user: string[];
  outbox: string[];
}

export function operations(): Operation[] {
  const found: Operation[] = [];
  const globalSecurity = (spec as { security?: unknown[] }).security ?? [];
  for (const [template, item] of Object.entries(spec.paths as Record<string, Record<string, Schema>>)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!operation.responses) continue;
      const security = (operation.security as unknown[] | undefined) ?? globalSecurity;
      const content = (resolveRef((operation.requestBody as Schema | undefined) ?? {}).content as Record<string, Schema> | undefined) ?? {};
      found.push({
        method: method.toUpperCase(),
        template,
        parameters: [...((item.parameters as unknown as Schema[] | undefined) ?? []), ...((operation.parameters as Schema[] | undefined) ?? [])].map(resolveRef),
        body: content['application/json']?.schema as Schema | undefined,
        secured: security.length > 0,
      });
    }
  }
  return found;
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=utf-16',
  'application/merge-patch+json',
  '',
];

function jsonBody(schema: Schema): Arbitrary<Body> {
  const { properties, required } = objectShape(schema);
  const valid = validValue(schema) as Arbitrary<Record<string, unknown>>;
  const names = Object.keys(properties);
  const mutated = fc.oneof(
    // one field made hostile
    fc.tuple(valid, fc.constantFrom(...(names.length > 0 ? names : ['x'])), hostileValue).map(([value, name, bad]) => ({ ...value, [name]: bad })),
    // a required field left out
    fc.tuple(valid, fc.constantFrom(...(required.length > 0 ? required : ['x']))).map(([value, name]) => Object.fromEntries(Object.entries(value).filter(([key]) => key !== name))),
    // a field nobody declared
    fc.tuple(valid, fc.string({ minLength: 1, maxLength: 12 }), hostileValue).map(([value, name, extra]) => ({ ...value, [name]: extra })),
    // not an object at all
    hostileValue,
  );
  return fc.oneof(
    { weight: 3, arbitrary: valid.map((value): Body => ({ kind: 'json', value })) },
    { weight: 4, arbitrary: mutated.map((value): Body => ({ kind: 'json', value })) },
    { weight: 2, arbitrary: rawBody },
  );
}

const rawBody: Arbitrary<Body> = fc.oneof(
  fc.constantFrom('', '{', '{"a":}', '[1,]', 'null', '"text"', '\uFEFF{}', '{"email":"a","email":"b"}', '{"__proto__":{"role":"admin"},"constructor":{"prototype":{"x":1}}}', 'NaN', '1e400'),
  fc.integer({ min: 33, max: 20_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.integer({ min: 33, max: 20_000 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  fc.integer({ min: 33, max: 20_000 }).map((depth) => '['.repeat(depth)), // unclosed
  fc.constantFrom(1024 * 1024 + 1, 2 * 1024 * 1024).map((size) => `{"name":"${'a'.repeat(size)}"}`),
).map((text): Body => ({ kind: 'text', text }));

const notUtf8: Arbitrary<Body> = fc
  .uint8Array({ minLength: 1, maxLength: 64 })
  .map((bytes) => ({ kind: 'bytes', base64: Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(bytes), Buffer.from('"}')]).toString('base64') }));

function parameterValue(parameter: Schema, known: KnownIds): Arbitrary<string> {
  const schema = resolveRef((parameter.schema as Schema | undefined) ?? {});
  const ids = parameter.in === 'path' ? [...known.patient, ...known.user, ...known.outbox] : [];
  // An empty or dot segment addresses another route (/api/users/ is /api/users), which has requests of its own.
  const sameRoute = (value: string) => parameter.in !== 'path' || !['', '.', '..'].includes(value);
  const values = fc.oneof(
    { weight: 4, arbitrary: validValue(schema).map((value) => (typeof value === 'string' ? value : JSON.stringify(value))) },
    { weight: ids.length > 0 ? 4 : 0, arbitrary: fc.constantFrom(...(ids.length > 0 ? ids : ['unused'])) },
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length < 5_000)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 2_000, unit: 'binary' }) },
  );
  return values.filter(sameRoute);
}

const HEADER_VALUES = ['"v1"', 'W/"v1"', '*', '"v0"', '"v99999999999999999999"', 'v1', '"v1", "v2"', '', 'x'.repeat(4_000), '\u00e9'];

/** Headers beside the documented ones that clients really send, and odd values of those. */
const extraHeaders: Arbitrary<Record<string, string>> = fc.record(
  {
    'X-PM-Client': fc.constantFrom('console', 'CONSOLE', 'other', ''),
    Origin: fc.constantFrom('https://evil.example', 'null', process.env.JWT_ISSUER ?? 'http://localhost:4400', ''),
    Accept: fc.constantFrom('application/xml', '*/*', 'text/html', 'application/problem+json'),
    Cookie: fc.constantFrom('pm_refresh=garbage', 'pm_refresh=', `pm_refresh=${'a'.repeat(3_000)}`, 'a=b; pm_refresh=x; pm_refresh=y'),
    'If-Match': fc.constantFrom(...HEADER_VALUES),
    'Idempotency-Key': fc.constantFrom('key-1', '', 'bad key!', 'x'.repeat(101), '\u00e9t\u00e9'),
    'X-Forwarded-For': fc.constantFrom('1.2.3.4', 'garbage', ''),
  },
  { requiredKeys: [] },
);

/**
 * A path segment as a client would send it. An unpaired surrogate cannot be UTF-8, so encodeURIComponent refuses
 * it; a hostile client sends its three bytes (%ED%A0%80 for U+D800) all the same, and so does this.
 */
function pathSegment(value: string): string {
  let encoded = '';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      encoded += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');
    } else {
      encoded += encodeURIComponent(char);
    }
  }
  return encoded;
}

export function requestsFor(operation: Operation, known: KnownIds): Arbitrary<GeneratedRequest> {
  const pathParameters = operation.parameters.filter((p) => p.in === 'path');
  const queryParameters = operation.parameters.filter((p) => p.in === 'query');
  const headerParameters = operation.parameters.filter((p) => p.in === 'header');
  const path = fc
    .tuple(...pathParameters.map((p) => parameterValue(p, known)))
    .map((values) => pathParameters.reduce((built, p, i) => built.replace(`{${String(p.name)}}`, pathSegment(values[i]!)), operation.template));
  const query = fc.array(
    fc.oneof(
      { weight: 3, arbitrary: queryParameters.length > 0 ? fc.constantFrom(...queryParameters).chain((p) => parameterValue(p, known).map((v): [string, string] => [String(p.name), v])) : fc.constant<[string, string]>(['q', 'x']) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom('unknown', 'limit', '__proto__', ''), fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length < 5_000))) },
    ),
    { maxLength: 4 },
  );
  const documentedHeaders = fc.record(
    Object.fromEntries(headerParameters.map((p) => [String(p.name), parameterValue(p, known)])),
    { requiredKeys: [] },
  );
  const credential = fc.constantFrom<Credential>('admin', 'admin', 'clinician', 'analyst', 'none', 'malformed', 'forged', 'basic');
  const body: Arbitrary<Body | undefined> = operation.body
    ? fc.oneof({ weight: 8, arbitrary: jsonBody(operation.body) }, { weight: 1, arbitrary: notUtf8 }, { weight: 1, arbitrary: fc.constant(undefined) })
    : fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: rawBody });
  const contentType = fc.oneof({ weight: 6, arbitrary: fc.constant('application/json') }, { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) });
  return fc
    .record({ path, query, documentedHeaders, extra: extraHeaders, credential, body, contentType })
    .map(({ path: built, query: pairs, documentedHeaders: documented, extra, credential: who, body: sent, contentType: type }) => ({
      method: operation.method,
      template: operation.template,
      path: built,
      query: pairs,
      headers: Object.fromEntries(Object.entries({ ...extra, ...documented }).filter((entry): entry is [string, string] => entry[1] !== undefined)),
      credential: who,
      body: sent,
      contentType: sent ? type : undefined,
    }));
}
