/**
 * Runs after the other end-to-end files (alphabetical order): the functions' structured logs of the
 * whole run must not contain the patient data those tests sent (names, emails, addresses, birth dates).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';

test('the functions never log patient data, passwords or tokens', async () => {
  const log = await readFile(path.join(process.env.TEST_STACK_DIR!, 'logs', 'offline.log'), 'utf8');
  // Our JSON lines only: serverless-offline itself echoes request paths, which API Gateway does not log by default.
  const lines = log.split('\n').filter((line) => line.startsWith('{"level"'));
  assert.ok(lines.length > 0, 'the run produced structured log lines');
  const forbidden = [
    // patient data the end-to-end tests sent
    /Test Patient/, /patient\.[a-z0-9]+@example\.org/i, /Test Street/, /1985-06-15/, /Corrected Name/, /Renamed/,
    // passwords and tokens
    /password123/, /correct horse battery/, /eyJ[A-Za-z0-9_-]{10,}\.eyJ/,
  ];
  for (const line of lines) {
    for (const pattern of forbidden) assert.doesNotMatch(line, pattern);
  }
});
