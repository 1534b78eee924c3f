/**
 * Values made from openapi.yaml's schemas with fast-check: valid ones (within every bound, format and pattern
 * the schema states, at its edges too) and hostile ones (wrong types, Unicode edges, huge, empty, injection
 * text). The test of generated requests builds its requests from both.
 */
import fc, { type Arbitrary } from 'fast-check';
import { resolveRef } from '../contract.js';
export type Schema = Record<string, unknown>;

/** Properties and required names of an object schema, with allOf merged (PatientCreate is an allOf). */
export function objectShape(schema: Schema): { properties: Record<string, Schema>; required: string[] } {
  const resolved = resolveRef(schema);
  const parts = [resolved, ...((resolved.allOf as Schema[] | undefined) ?? []).map(resolveRef)];
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const part of parts) {
    Object.assign(properties, (part.properties as Record<string, Schema> | undefined) ?? {});
    required.push(...((part.required as string[] | undefined) ?? []));
  }
  return { properties, required: [...new Set(required)] };
}

const isoDate = fc.date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

function stringValue(schema: Schema): Arbitrary<string> {
  const minLength = (schema.minLength as number | undefined) ?? 0;
  const maxLength = (schema.maxLength as number | undefined) ?? 300;
  const pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern, 'u') : undefined;
  const fits = (value: string) => value.length >= minLength && value.length <= maxLength && (!pattern || pattern.test(value));
  const byFormat: Record<string, Arbitrary<string>> = {
    email: fc.emailAddress(),
    uuid: fc.uuid(),
    date: isoDate,
    'date-time': fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    uri: fc.webUrl(),
  };
  const format = typeof schema.format === 'string' ? byFormat[schema.format] : undefined;
  if (format) return format.filter(fits);
  // fast-check builds strings for plain patterns; the Unicode-class ones (no control characters, not blank)
  // are met by most text, so text is generated and kept when it fits.
  if (pattern && !/\\p\{|\\u/.test(schema.pattern as string)) return fc.stringMatching(pattern).filter(fits);
  return fc
    .oneof(
      fc.string({ minLength: Math.max(minLength, 1), maxLength: Math.min(maxLength, 40), unit: 'grapheme' }),
      fc.string({ minLength: Math.max(minLength, 1), maxLength: Math.min(maxLength, 40) }),
      fc.constant('x'.repeat(Math.max(minLength, Math.min(maxLength, 300)))), // at the upper bound
    )
    .filter(fits);
}

/** Values valid against `schema`. */
export function validValue(schema: Schema): Arbitrary<unknown> {
  const resolved = resolveRef(schema);
  if (Array.isArray(resolved.enum)) return fc.constantFrom(...(resolved.enum as unknown[]));
  if ('const' in resolved) return fc.constant(resolved.const);
  if (Array.isArray(resolved.oneOf)) return fc.oneof(...(resolved.oneOf as Schema[]).map(validValue));
  const types = Array.isArray(resolved.type) ? (resolved.type as string[]) : [resolved.type as string | undefined];
  const type = types.find((t) => t !== 'null') ?? (resolved.allOf || resolved.properties ? 'object' : undefined);
  switch (type) {
    case 'string':
      return stringValue(resolved);
    case 'integer':
      return fc.integer({ min: (resolved.minimum as number | undefined) ?? -1_000, max: (resolved.maximum as number | undefined) ?? 1_000 });
    case 'number':
      return fc.double({ min: (resolved.minimum as number | undefined) ?? -1e6, max: (resolved.maximum as number | undefined) ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validValue((resolved.items as Schema | undefined) ?? {}), { maxLength: 3 });
    case 'object': {
      const { properties, required } = objectShape(resolved);
      const optional = Object.keys(properties).filter((name) => !required.includes(name));
      const record = fc.record(Object.fromEntries(Object.entries(properties).map(([name, child]) => [name, validValue(child)])), {
        requiredKeys: required,
      });
      const minProperties = (resolved.minProperties as number | undefined) ?? 0;
      return record.filter((value) => Object.keys(value).length >= minProperties || optional.length === 0);
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Strings that have broken programs before: Unicode edges, injection text, impossible dates and numbers. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'nul\u0000inside',
  '\uD800',
  'lone \uDC00 low',
  '\uFFFD',
  '\u202Eevil\u202C',
  '\u200B\u200B',
  '\uFEFF',
  '👩‍⚕️'.repeat(30),
  'e\u0301'.repeat(60),
  'x'.repeat(100_001),
  "' OR 1=1 --",
  '"; drop table patients; --',
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '%00%2e%2e%2f',
  '\\',
  '2024-02-30',
  '0000-01-01',
  '9999-12-31',
  '1900-01-01T00:00:00Z',
  '-1',
  '1e309',
  'NaN',
  '999999999999.99',
  '0.001',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
];

/** Any JSON value that is wrong somewhere: another type, a hostile string, an empty or odd container. */
export const hostileValue: Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.constantFrom(null, true, false, 0, -1, 1.5, -0, 2 ** 53 + 1, 1e308, -1e308, [], {}, [null], { '': '' }, JSON.parse('{"__proto__":{"admin":true}}') as unknown),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.jsonValue({ maxDepth: 3 }),
);
