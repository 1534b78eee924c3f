/**
 * `POST /fhir/R4/Patient/$merge` against the real stack: preview and merge by reference and by identifier, the
 * Parameters answered, how both records read afterwards (active, links, the source's MRN on the target), searches,
 * refusals as OperationOutcomes, and the scope. Every resource answered is judged by the HL7 validator
 * (zz-fhir-validation).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { login, userWithRole } from '../support/api.js';
import { fhir, fhirPatient, tokenWithScopes, uniqueWord } from '../support/fhir.js';

type Resource = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- FHIR JSON read by path in assertions

const MRN_SYSTEM = 'https://patient-management.dev/fhir/sid/mrn';
const LAB = 'urn:oid:2.16.840.1.113883.3.5555';

let admin: string;
let clinician: string;

before(async () => {
  admin = (await login()).token;
  clinician = (await userWithRole(admin, 'clinician')).token;
});

async function registered(overrides: Record<string, unknown> = {}): Promise<Resource> {
  const answer = await fhir('POST', '/Patient', { token: admin, body: fhirPatient(overrides) });
  assert.equal(answer.status, 201, answer.text);
  return answer.body;
}

const mrnOf = (patient: Resource) => (patient.identifier as Resource[]).find((i) => i.system === MRN_SYSTEM && i.use === 'usual')!.value as string;
const parameter = (body: Resource, name: string) => (body.parameter as Resource[]).find((p) => p.name === name);

const mergeOperation = (parameters: Resource[], token = admin) => fhir('POST', '/Patient/$merge', { token, body: { resourceType: 'Parameters', parameter: parameters } });
const ref = (name: string, patient: Resource, version?: number) => ({ name, valueReference: { reference: `Patient/${patient.id}${version ? `/_history/${version}` : ''}` } });

describe('$merge', () => {
  test('preview answers the result and changes nothing', async () => {
    const [target, source] = [await registered(), await registered()];
    const answer = await mergeOperation([ref('source-patient', source), ref('target-patient', target), { name: 'preview', valueBoolean: true }]);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.resourceType, 'Parameters');
    assert.match(parameter(answer.body, 'outcome')?.resource.issue[0].diagnostics, /Preview/);
    const result = parameter(answer.body, 'result')?.resource as Resource;
    assert.equal(result.id, target.id);
    assert.ok((result.identifier as Resource[]).some((i) => i.use === 'old' && i.value === mrnOf(source)));
    const sourceNow = await fhir('GET', `/Patient/${source.id}`, { token: admin });
    assert.equal(sourceNow.body.active, true);
    assert.equal((sourceNow.body.meta as Resource).versionId, '1');
  });

  test('merges by reference: the source reads inactive, replaced-by; the target replaces it and carries its MRN and identifiers', async () => {
    const labId = uniqueWord();
    const [target, source] = [await registered(), await registered({ identifier: [{ system: LAB, value: labId }] })];
    const answer = await mergeOperation([ref('source-patient', source), ref('target-patient', target)]);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(parameter(answer.body, 'input')?.resource.resourceType, 'Parameters');

    const sourceNow = await fhir('GET', `/Patient/${source.id}`, { token: admin });
    assert.equal(sourceNow.status, 200);
    assert.equal(sourceNow.body.active, false);
    assert.deepEqual(sourceNow.body.link, [{ other: { reference: `Patient/${target.id}` }, type: 'replaced-by' }]);

    const targetNow = await fhir('GET', `/Patient/${target.id}`, { token: admin });
    assert.deepEqual(targetNow.body.link, [{ other: { reference: `Patient/${source.id}` }, type: 'replaces' }]);
    const identifiers = targetNow.body.identifier as Resource[];
    assert.ok(identifiers.some((i) => i.system === MRN_SYSTEM && i.use === 'old' && i.value === mrnOf(source)));
    assert.ok(identifiers.some((i) => i.system === LAB && i.value === labId));

    for (const query of [`identifier=${MRN_SYSTEM}|${mrnOf(source)}`, `identifier=${LAB}|${labId}`]) {
      const found = await fhir('GET', `/Patient?${encodeURIComponent(query).replace('%3D', '=')}`, { token: admin });
      assert.deepEqual((found.body.entry as Resource[]).map((e) => e.resource.id), [target.id], query);
    }
    const byId = await fhir('GET', `/Patient?_id=${source.id}`, { token: admin });
    assert.equal(byId.body.entry, undefined, 'searches return the target only');

    const history = await fhir('GET', `/Patient/${source.id}/_history`, { token: admin });
    assert.deepEqual((history.body.entry as Resource[]).map((e) => e.resource?.active), [false, true], 'the merge is a version of the source');
    const merged = await fhir('GET', `/Patient/${source.id}/_history/2`, { token: admin });
    assert.equal(merged.status, 200);
    assert.equal(merged.body.active, false);
  });

  test('merges by identifier, with a result-patient, and the target can then be read, changed and written back as read', async () => {
    const [targetId, sourceId] = [uniqueWord(), uniqueWord()];
    const [target, source] = [await registered({ identifier: [{ system: LAB, value: targetId }] }), await registered({ identifier: [{ system: LAB, value: sourceId }], gender: 'other' })];
    const { meta: _meta, ...result } = { ...target, gender: 'other' } as Resource;
    const answer = await mergeOperation([
      { name: 'source-patient-identifier', valueIdentifier: { system: LAB, value: sourceId } },
      { name: 'target-patient-identifier', valueIdentifier: { system: LAB, value: targetId } },
      { name: 'result-patient', resource: result },
    ]);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(parameter(answer.body, 'result')?.resource.gender, 'other');
    assert.match(parameter(answer.body, 'outcome')?.resource.issue[0].diagnostics, /Taken from the source: gender/);

    const targetNow = (await fhir('GET', `/Patient/${target.id}`, { token: admin })).body as Resource;
    const update = await fhir('PUT', `/Patient/${target.id}`, { token: admin, body: { ...targetNow, birthDate: '1984-07-03' }, headers: { 'If-Match': `W/"${targetNow.meta.versionId}"` } });
    assert.equal(update.status, 200, update.text);
    assert.deepEqual(update.body.link, targetNow.link);
    const forged = await fhir('PUT', `/Patient/${target.id}`, { token: admin, body: { ...update.body, link: [] } });
    assert.equal(forged.status, 422, forged.text);
    assert.equal((await fhir('GET', `/Patient/${source.id}`, { token: admin })).body.active, false);
  });

  test('a merged source cannot be updated, and a second merge of it is refused, as OperationOutcomes', async () => {
    const [target, other, source] = [await registered(), await registered(), await registered()];
    assert.equal((await mergeOperation([ref('source-patient', source), ref('target-patient', target)])).status, 200);
    const update = await fhir('PUT', `/Patient/${source.id}`, { token: admin, body: { ...fhirPatient(), id: source.id } });
    assert.equal(update.status, 409);
    assert.equal(update.body.resourceType, 'OperationOutcome');
    const again = await mergeOperation([ref('source-patient', source), ref('target-patient', other)]);
    assert.equal(again.status, 422);
    assert.equal((again.body.issue as Resource[])[0]!.code, 'business-rule');
  });

  test('refuses self, a stale version, an unknown identifier and a result-patient of another id', async () => {
    const [target, source] = [await registered(), await registered()];
    const self = await mergeOperation([ref('source-patient', target), ref('target-patient', target)]);
    assert.equal(self.status, 422);
    const stale = await mergeOperation([ref('source-patient', source, 2), ref('target-patient', target)]);
    assert.equal(stale.status, 412);
    const unknown = await mergeOperation([{ name: 'source-patient-identifier', valueIdentifier: { system: LAB, value: uniqueWord() } }, ref('target-patient', target)]);
    assert.equal(unknown.status, 422);
    const wrongResult = await mergeOperation([ref('source-patient', source), ref('target-patient', target), { name: 'result-patient', resource: { ...source } }]);
    assert.equal(wrongResult.status, 422);
    const malformed = await mergeOperation([{ name: 'source-patient', valueString: 'Patient/1' }]);
    assert.equal(malformed.status, 400);
    for (const answer of [self, stale, unknown, wrongResult, malformed]) assert.equal(answer.body.resourceType, 'OperationOutcome');
    assert.equal((await fhir('GET', `/Patient/${source.id}`, { token: admin })).body.active, true);
  });

  test('needs patients:merge: a clinician and a SMART token with Patient.cruds get 403', async () => {
    const [target, source] = [await registered(), await registered()];
    const sub = JSON.parse(Buffer.from(clinician.split('.')[1]!, 'base64url').toString()).sub as string;
    for (const token of [clinician, await tokenWithScopes(sub, 'user/Patient.cruds')]) {
      const answer = await mergeOperation([ref('source-patient', source), ref('target-patient', target)], token);
      assert.equal(answer.status, 403);
      assert.equal(answer.body.resourceType, 'OperationOutcome');
    }
  });

  test('the CapabilityStatement lists $merge', async () => {
    const metadata = await fhir('GET', '/metadata');
    const patient = (metadata.body.rest as Resource[])[0]!.resource.find((r: Resource) => r.type === 'Patient');
    assert.deepEqual((patient.operation as Resource[]).find((o) => o.name === 'merge'), { name: 'merge', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-merge' });
  });
});
