/**
 * Sends a generated request to the test stack and reads what it wrote: a refused request must leave every
 * table a client writes through the API as it was.
 */
import http from 'node:http';
import { generateKeyPair, SignJWT } from 'jose';
import pg from 'pg';
import { API_URL } from '../api.js';
import type { ApiResponse } from '../contract.js';
import type { Credential, GeneratedRequest } from './requests.js';

export type Tokens = Record<'admin' | 'clinician' | 'analyst', string>;

/** A token with every claim an admin's has, signed by a key that is not ours. */
export async function forgedToken(): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT({ scope: 'patients:read patients:write analytics:read users:manage audit:read outbox:manage patients:merge', role: 'admin' })
    .setProtectedHeader({ alg: 'RS256', kid: 'local-dev' })
    .setIssuer(process.env.JWT_ISSUER ?? API_URL)
    .setAudience('patient-management-api')
    .setSubject('00000000-0000-4000-8000-000000000000')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(privateKey);
}

function authorization(credential: Credential, tokens: Tokens, forged: string): string | undefined {
  switch (credential) {
    case 'none':
      return undefined;
    case 'malformed':
      return 'Bearer not.a.token';
    case 'forged':
      return `Bearer ${forged}`;
    case 'basic':
      return 'Basic dXNlcjpwYXNzd29yZA==';
    default:
      return `Bearer ${tokens[credential]}`;
  }
}

export async function send(request: GeneratedRequest, tokens: Tokens, forged: string): Promise<ApiResponse> {
  const url = new URL(`${API_URL}${request.path}`);
  for (const [name, value] of request.query) url.searchParams.append(name, value);
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    // fetch refuses header values it cannot send (non-Latin-1): such a request cannot reach us anyway.
    if (/^[\t\x20-\x7e\x80-\xff]*$/.test(value)) headers.set(name, value);
  }
  const auth = authorization(request.credential, tokens, forged);
  if (auth) headers.set('Authorization', auth);
  let body: string | Buffer | undefined;
  // fetch sends no body with GET (neither do browsers); the API ignores one there anyway.
  if (request.method === 'GET') body = undefined;
  else if (request.body?.kind === 'json') body = JSON.stringify(request.body.value);
  else if (request.body?.kind === 'text') body = request.body.text;
  else if (request.body?.kind === 'bytes') body = Buffer.from(request.body.base64, 'base64');
  if (body !== undefined && request.contentType) headers.set('Content-Type', request.contentType);
  const response = await exchange(url, request.method, headers, body);
  const text = response.text;
  let parsed: unknown;
  if (/json/.test(response.headers.get('content-type') ?? '') && text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = Symbol.for('not JSON'); // fails the schema check, with the text in the message
    }
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/**
 * Counts and sums over what clients write through the API. Left out on purpose, as writes a refusal makes by
 * design: the audit trail's records of refused attempts (outcome not_found, conflict, precondition_failed: who
 * tried to reach which patient is part of the trail), login_failures (a refused sign-in is recorded: that is the
 * throttle) and refresh tokens' revocation (a refresh token presented twice revokes its sign-in); and what
 * background work changes (outbox delivery state, billing accounts, analytics).
 */
const WRITTEN = `
  select
    (select count(*) from patients) as patients,
    (select coalesce(sum(version), 0) from patients) as patient_versions,
    (select count(*) from patients where deleted_at is not null) as deleted_patients,
    (select count(*) from users) as users,
    (select count(*) from users where disabled_at is not null) as disabled_users,
    (select string_agg(role, ',' order by id) from users) as roles,
    (select count(*) from audit_events where outcome = 'success') as audit_events,
    (select count(*) from outbox) as outbox_messages,
    (select count(*) from refresh_tokens) as refresh_tokens`;
/** The billing server creates its schema when it first starts. */
const INVOICES = `select count(*) as invoices from billing.invoices`;

export class WrittenState {
  private readonly pool = new pg.Pool({ connectionString: process.env.TEST_STACK_DATABASE_URL, max: 2 });

  async read(): Promise<Record<string, string>> {
    const { rows } = await this.pool.query<Record<string, string>>(WRITTEN);
    const { rows: billing } = await this.pool.query<{ exists: boolean }>(`select to_regclass('billing.invoices') is not null as exists`);
    const invoices = billing[0]?.exists ? (await this.pool.query<Record<string, string>>(INVOICES)).rows[0] : { invoices: 'no billing schema' };
    return { ...rows[0]!, ...invoices };
  }

  /** Sign-in failures this run recorded, cleared so that the throttle never answers for the requests after. */
  async forgetLoginFailures(since: Date): Promise<void> {
    await this.pool.query('delete from login_failures where failed_at >= $1', [since]);
  }

  async ids(sql: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(sql);
    return rows.map((row) => String(row.id));
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * One HTTP exchange with node:http rather than fetch: a server may answer before it has read a large body (the
 * gateway's authorizer refuses a bad token at once) and close the connection while the body is still being
 * written. fetch then fails with EPIPE and loses the answer; here the answer that arrived is what counts.
 */
function exchange(url: URL, method: string, headers: Headers, body: string | Buffer | undefined): Promise<{ status: number; headers: Headers; text: string }> {
  return new Promise((resolve, reject) => {
    const sent = Object.fromEntries(headers.entries());
    if (body !== undefined) sent['content-length'] = String(Buffer.byteLength(body));
    const outgoing = http.request(url, { method, headers: sent }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const answered = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) {
          for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) answered.append(name, one);
        }
        resolve({ status: incoming.statusCode ?? 0, headers: answered, text: Buffer.concat(chunks).toString('utf8') });
      });
      incoming.on('error', reject);
    });
    // An error after the answer began (EPIPE, ECONNRESET while the rest of the body was being written) changes nothing.
    outgoing.on('error', (error) => setTimeout(() => reject(error), 1000));
    outgoing.end(body);
  });
}
