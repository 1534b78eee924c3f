import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { call } from '../support/api.js';

describe('the API reference', () => {
  test('GET /api-docs serves the Redoc page without a token', async () => {
    const response = await call('GET', '/api-docs', { contract: '/api-docs' });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    assert.match(response.text, /redoc/i);
    assert.match(response.text, /Patient Management API/);
  });

  test('GET /api-docs/openapi.json serves openapi.yaml as JSON', async () => {
    const response = await call('GET', '/api-docs/openapi.json', { contract: '/api-docs/openapi.json' });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, parse(await readFile('openapi.yaml', 'utf8')));
  });
});
