/**
 * Runs after the FHIR end-to-end files (alphabetical order): every FHIR resource they received and recorded
 * (test/support/fhir-outputs.ts) is valid against the FHIR R4 core definitions by the HL7/HAPI instance validator
 * (test/support/fhir-validator.ts) — no error or fatal message; warnings and informations are not failures.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { fhirOutputsDir } from '../support/fhir-outputs.js';
import { errorsOf, validateFhirResources, type ValidationResult } from '../support/fhir-validator.js';

/** One of each must have been received, or the check below would pass on nothing. */
const EXPECTED_TYPES = ['Patient', 'Bundle', 'OperationOutcome', 'CapabilityStatement', 'Parameters'];
/** How much of an invalid resource a failure shows, beside its errors. */
const SHOWN_CHARS = 1500;

let dir: string;
let results: ValidationResult[];

before(async () => {
  const outputs = fhirOutputsDir();
  if (!outputs) throw new Error('TEST_STACK_DIR is not set: run the end-to-end tests with `npm test`');
  dir = outputs;
  results = existsSync(dir) ? await validateFhirResources(dir) : [];
});

describe('the FHIR resources the end-to-end tests received', () => {
  test('include at least one Patient, Bundle, OperationOutcome, CapabilityStatement and Parameters ($merge)', () => {
    const counts = Object.fromEntries(EXPECTED_TYPES.map((type) => [type, results.filter((result) => result.resourceType === type).length]));
    const missing = EXPECTED_TYPES.filter((type) => counts[type] === 0);
    assert.deepEqual(missing, [], `none of these was recorded with recordFhirOutput (run this file after the FHIR files): ${JSON.stringify(counts)}`);
  });

  test('are valid FHIR R4 for the HL7 validator: no error or fatal message', async () => {
    const invalid = results.filter((result) => errorsOf(result).length > 0);
    const reports = await Promise.all(invalid.map(async (result) => {
      const errors = errorsOf(result).map((message) => `  ${message.severity} at ${message.location || '(the file)'}: ${message.message}`);
      const text = await readFile(path.join(dir, result.file), 'utf8');
      const shown = text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text;
      return `${result.file} (${result.resourceType ?? 'not a resource'}):\n${errors.join('\n')}\n${shown}`;
    }));
    assert.equal(invalid.length, 0, `${invalid.length} of ${results.length} recorded resources are invalid:\n\n${reports.join('\n\n')}`);
  });
});
