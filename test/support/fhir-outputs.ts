/**
 * Every FHIR resource the end-to-end tests receive (Patient, Bundle, OperationOutcome, CapabilityStatement), kept
 * so that test/e2e/zz-fhir-validation.test.ts, after the FHIR test files, can have the HL7 validator judge them all
 * in one run. api.ts's `call` records each `application/fhir+json` answer itself; a test that reads FHIR some
 * other way (its own fetch) records what it received with recordFhirOutput. Each test file runs in a process of its own: each resource is written to a file of its own in the
 * stack's folder (TEST_STACK_DIR/fhir-outputs), named by process, a counter and the label.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

let counter = 0;

/** The folder the recorded resources are in; undefined outside `npm test`. */
export function fhirOutputsDir(): string | undefined {
  const dir = process.env.TEST_STACK_DIR;
  return dir ? path.join(dir, 'fhir-outputs') : undefined;
}

/**
 * Records one FHIR JSON body a test received (parsed or as text); `label` (e.g. 'search-by-name') only helps find
 * the file when it fails validation. Outside `npm test` there is nowhere to record to, and nothing happens.
 */
export function recordFhirOutput(resource: unknown, label?: string): void {
  const dir = fhirOutputsDir();
  if (!dir) return;
  counter += 1;
  const type = resourceTypeOf(resource);
  const suffix = [type, label].filter(Boolean).join('-').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  mkdirSync(dir, { recursive: true });
  const text = typeof resource === 'string' ? resource : (JSON.stringify(resource, null, 2) ?? ''); // no body at all: the validator says so
  writeFileSync(path.join(dir, `${process.pid}-${String(counter).padStart(4, '0')}${suffix ? `-${suffix}` : ''}.json`), text);
}

function resourceTypeOf(resource: unknown): string | undefined {
  let parsed = resource;
  if (typeof resource === 'string') {
    try {
      parsed = JSON.parse(resource);
    } catch {
      return undefined;
    }
  }
  const type = (parsed as { resourceType?: unknown } | null)?.resourceType;
  return typeof type === 'string' ? type : undefined;
}
