/** A small HTTP client for the end-to-end tests, against the API that scripts/test.ts started (API_URL). */
import { assertMatchesContract, type ApiResponse } from './contract.js';

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
}

export async function call(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const response = await fetch(`${API_URL}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = undefined;
  if (/json/.test(response.headers.get('content-type') ?? '') && text) parsed = JSON.parse(text);
  const result = { status: response.status, headers: response.headers, body: parsed, text };
  if (options.contract) assertMatchesContract(result, method, options.contract);
  return result;
}

export async function login(email = DEV_ADMIN.email, password = DEV_ADMIN.password) {
  const response = await call('POST', '/auth/login', { body: { email, password }, contract: '/auth/login' });
  if (response.status !== 200) throw new Error(`login as ${email} failed with ${response.status}: ${response.text}`);
  return response.body as { token: string; refreshToken: string; expiresIn: number; tokenType: string };
}

let counter = 0;
/** A valid, unique patient body. */
export function newPatient(overrides: Record<string, unknown> = {}) {
  counter += 1;
  const unique = `${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
  return {
    name: `Test Patient ${unique}`,
    email: `patient.${unique}@example.org`,
    address: '1 Test Street, Testville',
    dateOfBirth: '1985-06-15',
    registeredDate: '2024-01-10',
    ...overrides,
  };
}

/** Creates a user with the given role through the admin API and signs in as them. */
export async function userWithRole(adminToken: string, role: 'admin' | 'clinician' | 'analyst') {
  const email = `${role}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@clinic.test`;
  const password = 'correct horse battery';
  const created = await call('POST', '/api/users', { token: adminToken, body: { email, password, role }, contract: '/api/users' });
  if (created.status !== 201) throw new Error(`creating ${role} failed: ${created.status} ${created.text}`);
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
