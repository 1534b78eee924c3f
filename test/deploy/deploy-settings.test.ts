/**
 * A deployed stage with a required setting missing stops before anything is built or created, naming
 * the setting (serverless.yml `${deploySetting:…}`, scripts/deploy/deploy-settings.cjs).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { runServerless } from '../../scripts/deploy/emulator.js';
import { exampleDeploySettings, type DeploySetting } from '../../scripts/deploy/example-settings.js';

const workDir = mkdtempSync(path.join(tmpdir(), 'pm-deploy-settings-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

const settingsWithout = (...missing: DeploySetting[]) =>
  Object.fromEntries(Object.entries(exampleDeploySettings).filter(([name]) => !missing.includes(name as DeploySetting)));

describe('deploy settings', () => {
  test('packaging a deployed stage without JWT_PUBLIC_JWKS fails naming it, and only it', async () => {
    const packageDir = path.join(workDir, 'without-jwks');
    const { code, output } = await runServerless(['package', '--stage', 'prod', '--package', packageDir], settingsWithout('JWT_PUBLIC_JWKS'));
    assert.notEqual(code, 0);
    assert.match(output, /Missing deploy setting JWT_PUBLIC_JWKS for stage "prod"/);
    assert.deepEqual([...new Set(output.match(/Missing deploy setting \w+/g))], ['Missing deploy setting JWT_PUBLIC_JWKS']);
    assert.equal(existsSync(packageDir), false, 'nothing packaged');
  });

  test('packaging with no settings at all names every required one', async () => {
    const { code, output } = await runServerless(['package', '--stage', 'staging', '--package', path.join(workDir, 'none')], {});
    assert.notEqual(code, 0);
    const named = new Set([...output.matchAll(/Missing deploy setting (\w+)/g)].map((m) => m[1]));
    assert.deepEqual([...named].sort(), Object.keys(exampleDeploySettings).sort());
  });

  test('the local stage needs none of them', async () => {
    const { code, output } = await runServerless(['print', '--stage', 'local'], {});
    assert.equal(code, 0, output.slice(-2000));
    assert.match(output, /JWT_ISSUER: http:\/\/localhost:4000/);
  });

  test('packaging builds in .esbuild/package, never in the folders serverless offline runs from', async () => {
    const { code, output } = await runServerless(['print', '--stage', 'prod'], exampleDeploySettings);
    assert.equal(code, 0, output.slice(-2000));
    assert.match(output, /outputWorkFolder: \.esbuild\/package\n/);
  });
});
