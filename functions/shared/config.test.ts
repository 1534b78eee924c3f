import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const configModule = fileURLToPath(new URL('./config.ts', import.meta.url));

/** Loads the configuration in a fresh process (it is read once, at import) with `env` added. */
function loadConfig(env: Record<string, string>) {
  const script = `const { config } = await import(${JSON.stringify(configModule)}); console.log(JSON.stringify(config.kafka));`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { ok: child.status === 0, kafka: child.status === 0 ? (JSON.parse(child.stdout) as { tls: boolean }) : undefined, stderr: child.stderr };
}

describe('configuration', () => {
  test('KAFKA_TLS reads true and false, and empty as false', () => {
    assert.equal(loadConfig({ KAFKA_TLS: 'true' }).kafka?.tls, true);
    assert.equal(loadConfig({ KAFKA_TLS: 'false' }).kafka?.tls, false);
    assert.equal(loadConfig({ KAFKA_TLS: '' }).kafka?.tls, false);
  });

  test('any other KAFKA_TLS stops the configuration from loading, with an error naming the variable', () => {
    const loaded = loadConfig({ KAFKA_TLS: 'yes' });
    assert.equal(loaded.ok, false);
    assert.match(loaded.stderr, /Environment variable KAFKA_TLS must be true or false/);
  });
});
