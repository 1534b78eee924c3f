/**
 * A FHIR client nobody here wrote (fhir-kit-client, npm) drives the FHIR API: it reads the CapabilityStatement,
 * creates, reads, searches, pages with its own next-page support (searches and a patient's history), updates and
 * deletes, the way a lab's or an app's integration would.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Client } from 'fhir-kit-client';
import { login, userWithRole } from '../support/api.js';
import { FHIR_BASE, fhirPatient, uniqueWord } from '../support/fhir.js';

type Resource = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- FHIR JSON read by path in assertions

let client: Client;

before(async () => {
  const admin = await login();
  const clinician = await userWithRole(admin.token, 'clinician');
  client = new Client({ baseUrl: FHIR_BASE, bearerToken: clinician.token });
});

describe('fhir-kit-client against /fhir/R4', () => {
  test('reads the CapabilityStatement', async () => {
    const statement = (await client.capabilityStatement()) as Resource;
    assert.equal(statement.fhirVersion, '4.0.1');
  });

  test('creates, reads, updates and deletes a patient', async () => {
    const created = (await client.create({ resourceType: 'Patient', body: fhirPatient() as never })) as Resource;
    assert.match(created.id, /^[0-9a-f-]{36}$/);
    const read = (await client.read({ resourceType: 'Patient', id: created.id })) as Resource;
    assert.equal(read.meta.versionId, '1');

    const updated = (await client.update({
      resourceType: 'Patient',
      id: created.id,
      body: { ...read, gender: 'other' } as never,
      options: { headers: { 'If-Match': 'W/"1"' } },
    })) as Resource;
    assert.equal(updated.gender, 'other');
    assert.equal(updated.meta.versionId, '2');
    const first = (await client.vread({ resourceType: 'Patient', id: created.id, version: '1' })) as Resource;
    assert.equal(first.gender, 'female');

    await client.delete({ resourceType: 'Patient', id: created.id });
    await assert.rejects(client.read({ resourceType: 'Patient', id: created.id }), (error: { response?: { status?: number } }) => error.response?.status === 410);
  });

  test('searches and pages to the end with its own next-page support', async () => {
    const family = uniqueWord();
    const ids = new Set<string>();
    for (let i = 0; i < 5; i += 1) ids.add(((await client.create({ resourceType: 'Patient', body: fhirPatient({}, family) as never })) as Resource).id);
    const seen: string[] = [];
    let bundle = (await client.search({ resourceType: 'Patient', searchParams: { family, _count: '2' } })) as Resource | undefined;
    for (let pages = 0; bundle && pages < 10; pages += 1) {
      seen.push(...((bundle.entry ?? []) as Resource[]).map((entry) => entry.resource.id as string));
      bundle = (await client.nextPage({ bundle: bundle as never })) as Resource | undefined;
    }
    assert.deepEqual(new Set(seen), ids);
    assert.equal(seen.length, 5);
  });

  test('reads a long history newest first, page by page with its own next-page support', async () => {
    let patient = (await client.create({ resourceType: 'Patient', body: fhirPatient() as never })) as Resource;
    for (let change = 0; change < 23; change += 1) {
      patient = (await client.update({
        resourceType: 'Patient',
        id: patient.id,
        body: { ...patient, gender: change % 2 === 0 ? 'other' : 'female' } as never,
        options: { headers: { 'If-Match': `W/"${patient.meta.versionId}"` } },
      })) as Resource;
    }
    const pages: string[][] = [];
    let bundle = (await client.history({ resourceType: 'Patient', id: patient.id })) as Resource | undefined;
    for (let page = 0; bundle && page < 5; page += 1) {
      assert.equal(bundle.total, 24);
      pages.push(((bundle.entry ?? []) as Resource[]).map((entry) => entry.resource.meta.versionId as string));
      bundle = (await client.nextPage({ bundle: bundle as never })) as Resource | undefined;
    }
    assert.deepEqual(pages.map((page) => page.length), [20, 4], 'a page of 20 by default, then the rest');
    assert.deepEqual(pages.flat(), Array.from({ length: 24 }, (_, i) => String(24 - i)));
  });
});
