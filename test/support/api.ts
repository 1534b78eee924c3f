/**
 * A small HTTP client for the end-to-end tests, against the API that scripts/test.ts started (API_URL). It
 * remembers the personal data, passwords and tokens it sends and receives (sent-values.ts), for the log scan.
 */
import { assertMatchesContract, type ApiResponse } from './contract.js';
import { recordFhirOutput } from './fhir-outputs.js';
import { redactSecrets } from './redact.js';
import { rememberSent, rememberSentFields, rememberSetCookie } from './sent-values.js';

export const API_URL = process.env.API_URL ?? 'http://localhost:4000';
export const DEV_ADMIN = { email: 'testuser@test.com', password: 'password123' };

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is instead of JSON-encoding `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
  /** The openapi.yaml path template to check the response against, e.g. '/api/patients/{id}'. */
  contract?: string;
  /** Another serverless offline than the stack's (test/support/separate-offline.ts). */
  baseUrl?: string;
}

export async function call(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/json';
  }
  rememberRequest(headers, body);
  const response = await fetch(`${options.baseUrl ?? API_URL}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = undefined;
  if (/json/.test(response.headers.get('content-type') ?? '') && text) parsed = JSON.parse(text);
  rememberTokensOf(parsed);
  // Every FHIR answer is kept for the HL7 validator (test/e2e/zz-fhir-validation.test.ts), whichever test asked.
  if (/fhir\+json/.test(response.headers.get('content-type') ?? '') && text) recordFhirOutput(parsed ?? text, `${method} ${path}`);
  rememberSetCookie(response.headers.get('set-cookie'));
  const result = { status: response.status, headers: response.headers, body: parsed, text };
  if (options.contract) assertMatchesContract(result, method, options.contract);
  return result;
}

export async function login(email = DEV_ADMIN.email, password = DEV_ADMIN.password) {
  const response = await call('POST', '/auth/login', { body: { email, password }, contract: '/auth/login' });
  if (response.status !== 200) throw new Error(`login as ${email} failed with ${response.status}: ${redactSecrets(response.text)}`);
  return response.body as { token: string; refreshToken: string; expiresIn: number; tokenType: string };
}

function rememberRequest(headers: Record<string, string>, body: string | undefined): void {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'authorization') rememberSent('access token', /^Bearer\s+(.+)$/i.exec(value)?.[1]);
    if (name.toLowerCase() === 'cookie') rememberSetCookie(value);
  }
  if (body === undefined) return;
  try {
    rememberSentFields(JSON.parse(body));
  } catch {
    // Not JSON (a test of malformed bodies): nothing a log could be expected to keep apart.
  }
}

/** Tokens an answer hands out (sign-in, refresh); patient data in answers is what the tests sent. */
export function rememberTokensOf(body: unknown): void {
  if (body === null || typeof body !== 'object') return;
  const { token, refreshToken } = body as { token?: unknown; refreshToken?: unknown };
  rememberSent('access token', token);
  rememberSent('refresh token', refreshToken);
}

/** Letters only: the matcher compares names without digits, so a numeric suffix would make every run's names alike. */
export function uniqueLetters(length = 8): string {
  return Array.from({ length }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
}

/** A birth date few other test patients have (they are mostly born 1985-06-15). */
export function unusualBirthDate(): string {
  const twoDigits = (value: number) => String(value).padStart(2, '0');
  return `19${20 + Math.floor(Math.random() * 50)}-${twoDigits(1 + Math.floor(Math.random() * 12))}-${twoDigits(1 + Math.floor(Math.random() * 28))}`;
}

let counter = 0;
/** A valid, unique patient body; remembered for the log scan, however the test goes on to send it. */
export function newPatient(overrides: Record<string, unknown> = {}) {
  counter += 1;
  const unique = `${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
  const patient = {
    name: `Test Patient ${unique}`,
    email: `patient.${unique}@example.org`,
    address: '1 Test Street, Testville',
    dateOfBirth: '1985-06-15',
    registeredDate: '2024-01-10',
    ...overrides,
  };
  rememberSentFields(patient);
  return patient;
}

/** Creates a user with the given role through the admin API and signs in as them. */
export async function userWithRole(adminToken: string, role: 'admin' | 'clinician' | 'analyst') {
  const email = `${role}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@clinic.test`;
  const password = 'correct horse battery';
  const created = await call('POST', '/api/users', { token: adminToken, body: { email, password, role }, contract: '/api/users' });
  if (created.status !== 201) throw new Error(`creating ${role} failed: ${created.status} ${redactSecrets(created.text)}`);
  return { email, password, ...(await login(email, password)) };
}

export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
