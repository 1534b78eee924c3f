/**
 * Generated requests to /fhir/R4 (fast-check, fixed seed): every route and method, known and unknown search
 * parameters with hostile values, patients with one element replaced by anything, malformed bodies and odd
 * headers. Whatever is sent: never a 5xx, and every answer with a body is FHIR (an error is an OperationOutcome).
 * Every answer is recorded, so the HL7 validator judges these too (zz-fhir-validation.test.ts).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { login, userWithRole } from '../support/api.js';
import { fhir, fhirPatient } from '../support/fhir.js';

const SEED = 20261207;
const RUNS = Number(process.env.FHIR_FUZZ_RUNS ?? 150);

let token: string;
let existing: string;

before(async () => {
  const admin = await login();
  token = (await userWithRole(admin.token, 'clinician')).token;
  const created = await fhir('POST', '/Patient', { token, body: fhirPatient() });
  existing = created.body.id as string;
});

const PARAMETERS = ['_id', 'identifier', 'name', 'family', 'given', 'birthdate', 'gender', 'email', 'phone', 'telecom', '_lastUpdated', '_count', '_sort', '_total', '_summary', '_elements', '_cursor', '_since', '_at', '_format', 'family:exact', 'name:contains', 'given:missing', 'birthdate:above', 'unknown'];
const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '|', 'a|b|c', '\\,', '%', '_', "'; drop table patients; --", '1984-02-30', 'ge', 'gt2024-13-01', 'eq1984', 'sa1984-07', 'ap2000', '9999-12-31', '0000', 'T10:00', '-family', 'family,-', '1e309', '-1', '101', 'xml', 'application/fhir+xml', 'count', 'accurate', 'true', 'data', 'name,birthDate', 'bW9vcw', 'x'.repeat(600)),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
);
const query = fc.array(fc.tuple(fc.constantFrom(...PARAMETERS), hostileText), { maxLength: 5 }).map((pairs) => new URLSearchParams(pairs).toString());

const PATIENT_ELEMENTS = ['resourceType', 'id', 'meta', 'name', 'gender', 'birthDate', 'telecom', 'address', 'identifier', 'extension', 'active', 'text', 'contact', 'photo', 'deceasedBoolean', 'name.0.family', 'name.0.given', 'telecom.0.value', 'telecom.0.system', 'identifier.0.system', 'address.0.line'];

/** A valid patient with one element (or a nested one) replaced by anything. */
const mutatedPatient = fc.tuple(fc.constantFrom(...PATIENT_ELEMENTS), fc.oneof(fc.anything({ maxDepth: 3 }), hostileText)).map(([element, value]) => {
  const patient = structuredClone({ ...fhirPatient(), identifier: [{ system: 'urn:oid:1.2.3', value: 'x' }] }) as Record<string, unknown>;
  const pathParts = element.split('.');
  let target = patient as Record<string, unknown>;
  for (const part of pathParts.slice(0, -1)) target = (target[part] ?? {}) as Record<string, unknown>;
  target[pathParts.at(-1)!] = value;
  return JSON.stringify(patient);
});
const body = fc.oneof(mutatedPatient, fc.json({ maxDepth: 4 }), fc.constantFrom('', '{', '[]', 'null', '<Patient/>', '{"resourceType":"Patient"}', '\u0000'));

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
  path: fc.oneof(
    fc.constantFrom('/metadata', '/Patient', '/Patient/_search', '/Patient/{existing}', '/Patient/{existing}/_history', '/Patient/{existing}/_history/1', '/Patient/{existing}/_history/0', '/Observation', '/Patient/$match'),
    fc.string({ maxLength: 30 }).map((id) => `/Patient/${encodeURIComponent(id)}`),
  ),
  query,
  body,
  contentType: fc.constantFrom('application/fhir+json', 'application/json', 'application/x-www-form-urlencoded', 'application/fhir+xml', 'text/plain', undefined),
  headers: fc.record(
    {
      Prefer: fc.constantFrom('return=minimal', 'return=OperationOutcome', 'handling=lenient', 'handling=strict', 'nonsense'),
      'If-Match': fc.constantFrom('W/"1"', 'W/"0"', '*', '"v1"', 'garbage', 'W/"99999999999"'),
      'If-None-Exist': fc.oneof(query, fc.constantFrom('', 'identifier=urn:oid:1.2.3|x', '???')),
      'If-None-Match': fc.constantFrom('W/"1"', '"1"', '*', 'W/"1", garbage', '', 'W/"99999999999"'),
      'If-Modified-Since': fc.oneof(fc.date({ noInvalidDate: true }).map((date) => date.toUTCString()), fc.constantFrom('', 'yesterday', 'Thu, 01 Jan 1970 00:00:00 GMT')),
      Accept: fc.constantFrom('application/fhir+json', 'application/fhir+xml', '*/*', 'text/html', ''),
    },
    { requiredKeys: [] },
  ),
});

describe('generated requests to /fhir/R4', () => {
  test(`${RUNS} requests from seed ${SEED}: never a 5xx, every body FHIR, every error an OperationOutcome`, async () => {
    await fc.assert(
      fc.asyncProperty(request, async (generated) => {
        const path = generated.path.replace('{existing}', existing);
        const headers: Record<string, string> = { ...generated.headers };
        if (generated.contentType) headers['Content-Type'] = generated.contentType;
        const sendsBody = !['GET', 'HEAD'].includes(generated.method);
        const answer = await fhir(generated.method, `${path}${generated.query ? `?${generated.query}` : ''}`, { token, headers, rawBody: sendsBody ? generated.body : undefined });
        assert.ok(answer.status < 500, `${generated.method} ${path}?${generated.query} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
        if (answer.text && generated.method !== 'HEAD' && !path.includes('smart-configuration')) {
          assert.ok(['Patient', 'Bundle', 'OperationOutcome', 'CapabilityStatement'].includes(String(answer.body.resourceType)), answer.text.slice(0, 300));
        }
        if (answer.status >= 400 && answer.text) assert.equal(answer.body.resourceType, 'OperationOutcome');
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });
});
