/**
 * A small FHIR client for the end-to-end tests of /fhir/R4: it records every FHIR resource the stack answers
 * (fhir-outputs.ts), so that test/e2e/zz-fhir-validation.test.ts has the HL7 validator judge each one, and it
 * signs access tokens with any scopes (SMART) with the stack's local development key.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { importPKCS8, SignJWT } from 'jose';
import { API_URL, rememberTokensOf } from './api.js';
import { recordFhirOutput } from './fhir-outputs.js';
import { rememberSent, rememberSentFields } from './sent-values.js';

export const FHIR_BASE = `${API_URL}/fhir/R4`;

export interface FhirAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { resourceType?: string };
  text: string;
}

export interface FhirCallOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** Sends a FHIR request; a JSON answer must be `application/fhir+json` and a resource, which is recorded for the validator. */
export async function fhir(method: string, pathAndQuery: string, options: FhirCallOptions = {}): Promise<FhirAnswer> {
  const headers: Record<string, string> = { Accept: 'application/fhir+json', ...options.headers };
  if (options.token) {
    headers.Authorization = `Bearer ${options.token}`;
    rememberSent('access token', options.token);
  }
  let body = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/fhir+json';
    rememberPatientValues(options.body);
  }
  const url = pathAndQuery.startsWith('http') ? pathAndQuery : `${FHIR_BASE}${pathAndQuery}`;
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  let parsed: FhirAnswer['body'] = {};
  if (text && /json/.test(contentType)) {
    parsed = JSON.parse(text) as FhirAnswer['body'];
    rememberTokensOf(parsed);
    if (typeof parsed.resourceType === 'string') {
      assert.match(contentType, /^application\/fhir\+json/, `${method} ${pathAndQuery} answered ${contentType}`);
      recordFhirOutput(parsed, `${method}-${parsed.resourceType}`);
    }
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** The personal values of a FHIR Patient a test sends, for the log scan (sent-values.ts). */
function rememberPatientValues(resource: unknown): void {
  const patient = resource as { name?: { text?: string; family?: string; given?: string[] }[]; telecom?: { value?: string }[]; address?: { text?: string }[]; birthDate?: string };
  if (!patient || typeof patient !== 'object') return;
  for (const name of patient.name ?? []) {
    rememberSent('name', name.text);
    rememberSent('name', [...(name.given ?? []), name.family].filter(Boolean).join(' '));
  }
  for (const telecom of patient.telecom ?? []) if (telecom.value?.includes('@')) rememberSent('email', telecom.value);
  for (const address of patient.address ?? []) rememberSent('address', address.text);
  rememberSentFields({ dateOfBirth: patient.birthDate });
}

/** An access token for an existing user (`sub`) with exactly these scopes, signed with the stack's development key. */
export async function tokenWithScopes(sub: string, scope: string, role = 'clinician'): Promise<string> {
  const pem = await readFile(path.join(process.env.TEST_STACK_DIR!, 'dev-signing-key.pem'), 'utf8');
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ scope, role })
    .setProtectedHeader({ alg: 'RS256', kid: process.env.JWT_KEY_ID ?? 'local-dev' })
    .setSubject(sub)
    .setIssuer(process.env.JWT_ISSUER!)
    .setAudience('patient-management-api')
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(await importPKCS8(pem, 'RS256'));
  rememberSent('access token', token);
  return token;
}

let counter = 0;
/** A unique word (letters only, so that it is a name) for telling this run's patients apart. */
export function uniqueWord(): string {
  counter += 1;
  const letters = (n: number) => n.toString(26).replace(/[0-9]/g, (digit) => String.fromCharCode(103 + Number(digit)));
  // Of one length, so that no word is the beginning of another (name searches match prefixes).
  return `Zq${letters(Date.now() % 1e9).padStart(7, 'a')}${letters(counter % 17576).padStart(3, 'a')}${letters(Math.floor(Math.random() * 17576)).padStart(3, 'a')}`;
}

/** A valid FHIR Patient as a clinic would send it. */
export function fhirPatient(overrides: Record<string, unknown> = {}, family = uniqueWord()) {
  const unique = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
  return {
    resourceType: 'Patient',
    name: [{ use: 'official', family, given: ['Anna', 'María'] }],
    gender: 'female',
    birthDate: '1984-07-02',
    telecom: [
      { system: 'email', value: `anna.${unique}@example.org` },
      { system: 'phone', value: '+41 44 555 01 23' },
    ],
    address: [{ text: '1 Lab Street, Zürich' }],
    ...overrides,
  };
}
