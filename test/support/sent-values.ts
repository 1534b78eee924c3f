/**
 * Everything secret or personal that the tests send to the stack (patient names, emails, addresses, birth dates;
 * passwords; access and refresh tokens, also as cookie values), collected as it is sent or received so that
 * test/e2e/zz-logs.test.ts, the last end-to-end file, can look for each of them in every log of the run. Each
 * test file runs in a process of its own: the values are appended to a file in the stack's folder
 * (TEST_STACK_DIR), one JSON line each, which the last file reads.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const SENT_KINDS = ['name', 'email', 'address', 'birth date', 'password', 'access token', 'refresh token'] as const;
export type SentKind = (typeof SENT_KINDS)[number];

/** Request and response members that hold such a value, by JSON name. */
const FIELD_KINDS: Record<string, SentKind> = {
  name: 'name',
  email: 'email',
  address: 'address',
  dateOfBirth: 'birth date',
  password: 'password',
  token: 'access token',
  refreshToken: 'refresh token',
};
/** Values this short ('X', '   ') would be found by chance in any log; tests use them only to provoke a 400. */
const SHORTEST = 5;
/** Longer values (a 1 MB address that must be refused) are looked for by their beginning. */
const LONGEST = 300;

const seen = new Set<string>();

function sentValuesFile(): string | undefined {
  const dir = process.env.TEST_STACK_DIR;
  return dir ? path.join(dir, 'sent-values.jsonl') : undefined;
}

/** Remembers one value sent to (or received from) the stack. Outside `npm test` there is nothing to remember. */
export function rememberSent(kind: SentKind, value: unknown): void {
  if (typeof value !== 'string' || value.trim().length < SHORTEST) return;
  const kept = value.slice(0, LONGEST);
  const key = `${kind}\n${kept}`;
  const file = sentValuesFile();
  if (seen.has(key) || !file) return;
  seen.add(key);
  appendFileSync(file, `${JSON.stringify({ kind, value: kept })}\n`);
}

/** Remembers the personal and secret members of a JSON body (and of objects one level down, e.g. a list's items). */
export function rememberSentFields(body: unknown, depth = 0): void {
  if (depth > 2 || body === null || typeof body !== 'object') return;
  for (const [key, value] of Object.entries(body)) {
    const kind = FIELD_KINDS[key];
    if (kind) rememberSent(kind, value);
    else rememberSentFields(value, depth + 1);
  }
}

/** Remembers the refresh token a `Set-Cookie: pm_refresh=…` header carries. */
export function rememberSetCookie(header: string | null | undefined): void {
  for (const match of (header ?? '').matchAll(/pm_refresh=([^;,\s]+)/g)) rememberSent('refresh token', match[1]);
}

export interface SentValue {
  kind: SentKind;
  value: string;
}

/** Every value any test file of this run remembered. */
export function readSentValues(): SentValue[] {
  const file = sentValuesFile();
  if (!file) throw new Error('TEST_STACK_DIR is not set: run the end-to-end tests with `npm test`');
  const text = (() => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  })();
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SentValue);
}
