import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { callSites, originalStack } from './stack-trace.js';

const folder = mkdtempSync(path.join(tmpdir(), 'pm-stack-trace-'));
after(() => rmSync(folder, { recursive: true, force: true }));

/**
 * The stack of an error thrown in a minified ESM bundle with its source map beside it, as the functions are
 * packaged, run by plain Node without source map support (this test runner maps stacks itself).
 */
async function bundledErrorStack(): Promise<string> {
  const source = path.join(folder, 'failing-handler.ts');
  writeFileSync(
    source,
    ['export function handler(input: string): never {', '  const reason = `no ${input}`;', '  throw new Error(reason);', '}', ''].join('\n'),
  );
  const bundle = path.join(folder, 'failing-handler.mjs');
  await build({ entryPoints: [source], outfile: bundle, bundle: true, minify: true, sourcemap: true, sourcesContent: false, format: 'esm', platform: 'node' });
  const script = `import(${JSON.stringify(pathToFileURL(bundle).href)}).then(({ handler }) => handler('patient')).catch((error) => console.log(error.stack));`;
  const { NODE_OPTIONS: _loader, ...env } = process.env;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
}

describe('stack traces', () => {
  test('a bundled frame is mapped to its source file, line and column through the shipped map', async () => {
    const stack = await bundledErrorStack();
    assert.match(stack, /failing-handler\.mjs:\d+:\d+/, 'the raw stack points into the minified bundle');
    const first = callSites(stack)?.split('\n')[0] ?? '';
    assert.match(first, /^\s+at .*failing-handler\.ts:3:\d+\)?$/);
  });

  test('the message stays and frames without a map stay as they are', () => {
    const stack = ['Error: boom', '    at run (node:internal/process/task_queues:95:5)', '    at file:///nowhere/no-map.mjs:2:10'].join('\n');
    assert.equal(originalStack(stack), stack);
  });

  test('no stack, no call sites', () => {
    assert.equal(callSites(undefined), undefined);
  });
});
