/**
 * Runs first (file order): the functions below have not been loaded yet. A burst of authenticated
 * requests against them must never be refused for want of keys: token checks use the public keys the
 * functions are configured with, and never call our own JWKS endpoint.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { call, login } from '../support/api.js';

describe('a cold stack under a burst of authenticated requests', () => {
  test('50 parallel requests to functions not yet loaded: none is refused with 401, none fails', async () => {
    const { token } = await login();
    const paths = ['/api/patients?limit=5', `/api/patients/${randomUUID()}`, '/api/analytics', `/api/audit-events?patientId=${randomUUID()}`, '/auth/validate'];
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => call('GET', paths[i % paths.length]!, { token })));
    const statuses = responses.map((r) => r.status);
    assert.deepEqual(statuses.filter((s) => s === 401 || s >= 500), []);
    // The unknown patient is a 404; everything else answers 200.
    assert.deepEqual([...new Set(statuses)].sort(), [200, 404]);
  });
});
