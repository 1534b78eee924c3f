import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { missingPrerequisites } from './test-prerequisites.js';

describe('npm test prerequisites', () => {
  const saved = { PATH: process.env.PATH, CHROME_PATH: process.env.CHROME_PATH, KAFKA_BROKERS: process.env.KAFKA_BROKERS };
  beforeEach(() => {
    process.env.PATH = '/nonexistent';
    process.env.CHROME_PATH = '/nonexistent/chromium';
    delete process.env.KAFKA_BROKERS;
  });
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  test('a whole run names every missing tool with how to install it', () => {
    const missing = missingPrerequisites([]);
    assert.equal(missing.length, 3);
    assert.match(missing[0]!, /Java 17 and Maven .*apt-get install openjdk-17-jdk-headless maven/);
    assert.match(missing[1]!, /Chromium .*apt-get install chromium/);
    assert.match(missing[2]!, /moto_server.*pip install/);
  });

  test('a run of some files asks only for what they need; a broker of your own needs no Java', () => {
    process.env.KAFKA_BROKERS = 'localhost:9092';
    assert.deepEqual(missingPrerequisites(['test/e2e/patients.test.ts']), []);
    assert.equal(missingPrerequisites(['test/browser/console-merge.test.ts']).length, 1);
  });
});
