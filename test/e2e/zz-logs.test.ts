/**
 * Runs after the other end-to-end files (alphabetical order): no log the run wrote (every file under the stack's
 * logs folder: serverless offline's, the billing servers' that tests started, the instances tests started of
 * their own) contains any name, email, address or birth date a test sent, nor a password or an access or refresh
 * token. What was sent is what the test support remembered as it sent it (test/support/sent-values.ts).
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { readSentValues, SENT_KINDS, type SentKind, type SentValue } from '../support/sent-values.js';

const logsDir = path.join(process.env.TEST_STACK_DIR ?? '.local', 'logs');

let sent: SentValue[];
let logs: { file: string; text: string }[];

before(async () => {
  sent = readSentValues();
  const files = (await readdir(logsDir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile() && !/\.(png|jpe?g)$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
  logs = await Promise.all(files.map(async (file) => ({ file: path.relative(logsDir, file), text: (await readFile(file, 'utf8')).toLowerCase() })));
});

/** How a value can appear in a log: as sent, or escaped inside a JSON string (a tab, a newline, quotes). */
function spellings(value: string): string[] {
  const lower = value.toLowerCase();
  return [...new Set([lower, JSON.stringify(lower).slice(1, -1)])];
}

/** Tokens and passwords are not printed whole even when found. */
function shown({ kind, value }: SentValue): string {
  return kind === 'access token' || kind === 'refresh token' || kind === 'password' ? `${kind} ${value.slice(0, 6)}…` : `${kind} ${JSON.stringify(value)}`;
}

describe('the logs of the whole run', () => {
  test('the earlier files sent enough to look for: names, emails, addresses, birth dates, passwords and tokens', () => {
    const counts = Object.fromEntries(SENT_KINDS.map((kind) => [kind, sent.filter((value) => value.kind === kind).length])) as Record<SentKind, number>;
    const missing = SENT_KINDS.filter((kind) => counts[kind] === 0);
    assert.deepEqual(missing, [], `nothing of these kinds was remembered (run this file after the others): ${JSON.stringify(counts)}`);
    assert.ok(sent.length >= 20, `only ${sent.length} values were remembered: ${JSON.stringify(counts)}`);
  });

  test('include serverless offline’s, with the functions’ structured lines', () => {
    const offline = logs.find((log) => log.file === 'offline.log');
    assert.ok(offline, `no offline.log among ${logs.map((log) => log.file).join(', ')}`);
    assert.match(offline.text, /^\{"level":30,/m);
  });

  test('hold none of the personal data, passwords or tokens the tests sent or received', () => {
    const found: string[] = [];
    for (const log of logs) {
      for (const value of sent) {
        if (spellings(value.value).some((spelling) => log.text.includes(spelling))) found.push(`${shown(value)} in ${log.file}`);
      }
    }
    assert.deepEqual(found, []);
  });

  test('hold nothing shaped like a JWT, whoever sent it', () => {
    const jwt = /eyj[a-z0-9_-]{10,}\.eyj/;
    assert.deepEqual(logs.filter((log) => jwt.test(log.text)).map((log) => log.file), []);
  });
});
