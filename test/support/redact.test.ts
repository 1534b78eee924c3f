import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactSecrets } from './redact.js';

const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl';

test('tokens in JSON bodies are redacted, other members stay', () => {
  const text = JSON.stringify({ token: jwt, refreshToken: 'opaque-refresh-value', expiresIn: 900, tokenType: 'Bearer' });
  const redacted = redactSecrets(text);
  assert.doesNotMatch(redacted, /eyJ|opaque-refresh-value/);
  assert.match(redacted, /"expiresIn":900/);
  assert.match(redacted, /"tokenType":"Bearer"/);
});

test('a bare JWT, a bearer header and cookie values are redacted', () => {
  const redacted = redactSecrets(`Authorization: Bearer abc.def.ghi; set-cookie: pm_refresh=secret123; Path=/auth; HttpOnly; seen ${jwt}`);
  assert.doesNotMatch(redacted, /abc\.def\.ghi|secret123|eyJ/);
  assert.match(redacted, /Path=\/auth; HttpOnly/);
});
