/**
 * A burst of authenticated requests against functions not loaded yet must never be refused for want of keys:
 * token checks use the public keys the functions are configured with, and never call our own JWKS endpoint.
 * The stack's serverless offline has long loaded them when this file runs (earlier files warm it), so the test
 * starts one of its own, and reads in its log that the burst's first requests are what loaded each handler
 * (the Lambda runtime's loader reports every handler file it loads: AWS_LAMBDA_RUNTIME_VERBOSE=1).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { login } from '../support/api.js';
import { startSeparateOffline, type SeparateOffline } from '../support/separate-offline.js';

const HANDLERS = ['list-patients', 'get-patient', 'get-analytics', 'list-audit-events', 'validate'];
const PATHS = ['/api/patients?limit=5', `/api/patients/${randomUUID()}`, '/api/analytics', `/api/audit-events?patientId=${randomUUID()}`, '/auth/validate'];

let offline: SeparateOffline;
let token: string;

before(async () => {
  // Signed in on the stack: the fresh instance has the same keys and issuer, and loads no sign-in function.
  token = (await login()).token;
  offline = await startSeparateOffline('cold-stack-offline', { env: { AWS_LAMBDA_RUNTIME_VERBOSE: '1' } });
});

after(async () => {
  await offline?.stop();
});

/** The handler files the instance's Lambda runtime has loaded so far, by file name (`list-patients`, …). */
async function loadedHandlers(): Promise<string[]> {
  const loads = [...(await offline.log()).matchAll(/RUNTIME LOADER Try loading as esmodule: \S*\/([^/\s]+)\.mjs/g)];
  return loads.map((match) => match[1]!);
}

describe('a cold stack under a burst of authenticated requests', () => {
  test('50 parallel requests to functions not yet loaded: none is refused with 401, none fails', async () => {
    const loadedBefore = await loadedHandlers();
    assert.deepEqual(loadedBefore.filter((name) => HANDLERS.includes(name)), [], 'the functions under test were loaded before the burst');

    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => fetch(`${offline.url}${PATHS[i % PATHS.length]!}`, { headers: { Authorization: `Bearer ${token}` } })),
    );

    const statuses = responses.map((r) => r.status);
    assert.deepEqual(statuses.filter((s) => s === 401 || s >= 500), []);
    // The unknown patient is a 404; everything else answers 200.
    assert.deepEqual([...new Set(statuses)].sort(), [200, 404]);
    // …and the burst is what loaded each of them: once each (later requests met the loaded module).
    const loadedByTheBurst = (await loadedHandlers()).slice(loadedBefore.length);
    assert.deepEqual(loadedByTheBurst.filter((name) => HANDLERS.includes(name)).sort(), [...HANDLERS].sort());
  });
});
