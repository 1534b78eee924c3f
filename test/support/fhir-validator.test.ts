/**
 * The FHIR validator can fail: known-valid and known-invalid resources (test/fhir-validator/fixtures/) get the
 * verdicts they deserve. Needs no stack, only Java and (the first time) Maven Central.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { errorsOf, validateFhirResources, type ValidationResult } from './fhir-validator.js';

const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fhir-validator/fixtures');

let dir: string;
let results: ValidationResult[];

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fhir-validator-'));
  await cp(fixturesDir, dir, { recursive: true });
  await writeFile(path.join(dir, 'not-json.json'), 'this is not JSON');
  results = await validateFhirResources(dir);
});

after(() => rm(dir, { recursive: true, force: true }));

function resultFor(file: string): ValidationResult {
  const result = results.find((candidate) => candidate.file === file);
  assert.ok(result, `no result for ${file} among ${results.map((r) => r.file).join(', ')}`);
  return result;
}

/** `location: message` of each error, for assertions and for reading a failure. */
function errorLines(file: string): string[] {
  return errorsOf(resultFor(file)).map((message) => `${message.location}: ${message.message}`);
}

describe('the FHIR R4 validator', () => {
  test('finds no error in a Patient with our registered-date extension, a searchset Bundle, an OperationOutcome and a CapabilityStatement', () => {
    const valid = ['patient-valid.json', 'bundle-searchset.json', 'operation-outcome.json', 'capability-statement.json'];
    assert.deepEqual(valid.map((file) => [file, resultFor(file).resourceType, errorLines(file)]), [
      ['patient-valid.json', 'Patient', []],
      ['bundle-searchset.json', 'Bundle', []],
      ['operation-outcome.json', 'OperationOutcome', []],
      ['capability-statement.json', 'CapabilityStatement', []],
    ]);
  });

  test('finds a gender outside its value set, an impossible birth date and an element R4 does not define', () => {
    const errors = errorLines('patient-invalid.json');
    assert.ok(errors.some((line) => /^Patient\.gender: .*'mail'/.test(line)), errors.join('\n'));
    assert.ok(errors.some((line) => /^Patient\.birthDate: .*'1984-13-45'/.test(line)), errors.join('\n'));
    assert.ok(errors.some((line) => /^Patient: .*'foo'/.test(line)), errors.join('\n'));
  });

  test('refuses unknown extensions outside our domain, and checks the value of ours', () => {
    const errors = errorLines('patient-invalid.json');
    assert.ok(errors.some((line) => /^Patient\.extension\[0\]: .*hl7\.org\/fhir\/StructureDefinition\/no-such-extension/.test(line)), errors.join('\n'));
    assert.ok(errors.some((line) => /^Patient\.extension\[1\]: .*other\.example/.test(line)), errors.join('\n'));
    assert.ok(errors.some((line) => /^Patient\.extension\[2\]\.value.*: .*'2024-13-01'/.test(line)), errors.join('\n'));
  });

  test('reports a file that is not JSON as fatal, and still judges the others', () => {
    assert.equal(resultFor('not-json.json').messages[0]?.severity, 'fatal');
    assert.equal(results.length, 6);
  });
});
