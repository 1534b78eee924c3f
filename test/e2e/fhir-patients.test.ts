/**
 * The FHIR R4 Patient API against the real stack: every interaction, search parameter and error the issue pins.
 * Every resource received is recorded and judged by the HL7 validator (zz-fhir-validation.test.ts).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { call, login, userWithRole } from '../support/api.js';
import { fhir, fhirPatient, tokenWithScopes, uniqueWord, type FhirAnswer } from '../support/fhir.js';

type Resource = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- FHIR JSON read by path in assertions

let token: string;
let clinicianSub: string;

before(async () => {
  const admin = await login();
  const clinician = await userWithRole(admin.token, 'clinician');
  token = clinician.token;
  clinicianSub = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;
});

const create = (body: unknown, headers: Record<string, string> = {}) => fhir('POST', '/Patient', { token, body, headers });
const read = (id: string) => fhir('GET', `/Patient/${id}`, { token });
const search = (query: string, extra: { token?: string; headers?: Record<string, string> } = {}) => fhir('GET', `/Patient?${query}`, { token, ...extra });
const ids = (bundle: FhirAnswer) => ((bundle.body.entry as Resource[] | undefined) ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource.id as string);
const issueCodes = (answer: FhirAnswer) => (answer.body.issue as Resource[]).map((issue) => issue.code as string);

async function created(overrides: Record<string, unknown> = {}, family?: string): Promise<Resource> {
  const answer = await create(fhirPatient(overrides, family));
  assert.equal(answer.status, 201, answer.text);
  return answer.body;
}

describe('metadata', () => {
  test('the CapabilityStatement needs no token and lists what the route table serves', async () => {
    const answer = await fhir('GET', '/metadata');
    assert.equal(answer.status, 200);
    const body = answer.body as Resource;
    assert.equal(body.resourceType, 'CapabilityStatement');
    assert.equal(body.fhirVersion, '4.0.1');
    assert.deepEqual(body.format, ['json']);
    const patient = body.rest[0].resource.find((r: Resource) => r.type === 'Patient');
    assert.deepEqual(patient.interaction.map((i: Resource) => i.code).sort(), ['create', 'delete', 'history-instance', 'read', 'search-type', 'update', 'vread']);
    assert.equal(patient.conditionalCreate, true);
    assert.equal(patient.conditionalRead, 'full-support');
    const params = patient.searchParam.map((p: Resource) => p.name);
    for (const name of ['_id', 'identifier', 'name', 'family', 'given', 'birthdate', 'gender', 'email', 'phone', 'telecom', '_lastUpdated']) assert.ok(params.includes(name), name);
  });

  test('the SMART configuration needs no token and lists the scopes understood', async () => {
    const response = await fetch(`${process.env.API_URL ?? 'http://localhost:4000'}/fhir/R4/.well-known/smart-configuration`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as Resource;
    assert.ok(body.scopes_supported.includes('user/Patient.cruds'));
    assert.ok(body.capabilities.includes('permission-v2'));
  });
});

describe('create, read, versions', () => {
  test('create answers 201 with Location to version 1, ETag and Last-Modified, an MRN and the fields sent', async () => {
    const sent: Resource = fhirPatient({ identifier: [{ system: 'urn:oid:2.16.840.1.113883.3.9999', value: uniqueWord() }] });
    const answer = await create(sent);
    assert.equal(answer.status, 201, answer.text);
    const patient = answer.body as Resource;
    assert.equal(answer.headers.get('location'), `${process.env.API_URL ?? 'http://localhost:4000'}/fhir/R4/Patient/${patient.id}/_history/1`);
    assert.equal(answer.headers.get('etag'), 'W/"1"');
    assert.ok(answer.headers.get('last-modified'));
    assert.equal(patient.meta.versionId, '1');
    const mrn = patient.identifier.find((i: Resource) => i.type?.coding?.[0]?.code === 'MR');
    assert.match(mrn.value, /^MRN-\d{6,}$/);
    assert.deepEqual(patient.identifier.filter((i: Resource) => i !== mrn), sent.identifier);
    assert.deepEqual(patient.name[0].given, ['Anna', 'María']);
    assert.equal(patient.gender, 'female');
    assert.equal(patient.birthDate, '1984-07-02');
  });

  test('our API shows the same record with its MRN and new fields', async () => {
    const patient = await created();
    const ours = await call('GET', `/api/patients/${patient.id}`, { token, contract: '/api/patients/{id}' });
    const body = ours.body as Resource;
    assert.equal(body.mrn, patient.identifier[0].value);
    assert.equal(body.familyName, patient.name[0].family);
    assert.deepEqual(body.givenNames, ['Anna', 'María']);
    assert.equal(body.gender, 'female');
    assert.equal(body.phone, '+41 44 555 01 23');
  });

  test('read answers the patient with its version as ETag; an unknown id is 404', async () => {
    const patient = await created();
    const answer = await read(patient.id);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('etag'), 'W/"1"');
    assert.deepEqual(answer.body, patient);
    const missing = await read('00000000-0000-4000-8000-000000000000');
    assert.equal(missing.status, 404);
    assert.deepEqual(issueCodes(missing), ['not-found']);
  });

  test('update with the current If-Match makes version 2; a stale one is 412; vread still reads version 1', async () => {
    const patient = await created();
    const changed = { ...patient, gender: 'other', telecom: [patient.telecom[0]] };
    const updated = await fhir('PUT', `/Patient/${patient.id}`, { token, body: changed, headers: { 'If-Match': 'W/"1"' } });
    assert.equal(updated.status, 200, updated.text);
    assert.equal(updated.headers.get('etag'), 'W/"2"');
    assert.equal(updated.body.gender, 'other');
    assert.equal((updated.body.telecom as Resource[]).length, 1);

    const stale = await fhir('PUT', `/Patient/${patient.id}`, { token, body: { ...changed, gender: 'male' }, headers: { 'If-Match': 'W/"1"' } });
    assert.equal(stale.status, 412);
    assert.deepEqual(issueCodes(stale), ['conflict']);

    const first = await fhir('GET', `/Patient/${patient.id}/_history/1`, { token });
    assert.equal(first.status, 200);
    assert.equal(first.body.gender, 'female');
    assert.equal((first.body.meta as Resource).versionId, '1');
    const history = await fhir('GET', `/Patient/${patient.id}/_history`, { token });
    assert.equal(history.body.type, 'history');
    assert.deepEqual((history.body.entry as Resource[]).map((e) => e.resource.meta.versionId), ['2', '1']);
  });

  test('conditional read: 304 without a body while the client\'s copy is current (If-None-Match, If-Modified-Since), 200 once it changed', async () => {
    const patient = await created();
    const first = await read(patient.id);
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    const conditional = (headers: Record<string, string>) => fhir('GET', `/Patient/${patient.id}`, { token, headers });

    const unchanged = await conditional({ 'If-None-Match': etag });
    assert.equal(unchanged.status, 304);
    assert.equal(unchanged.text, '');
    assert.equal(unchanged.headers.get('etag'), etag);
    assert.equal((await conditional({ 'If-None-Match': `"1", W/"7"` })).status, 304, 'a strong tag of the same version matches');
    assert.equal((await conditional({ 'If-Modified-Since': lastModified })).status, 304);
    assert.equal((await conditional({ 'If-Modified-Since': new Date(Date.parse(lastModified) - 60_000).toUTCString() })).status, 200);
    assert.equal((await conditional({ 'If-Modified-Since': 'not a date' })).status, 200, 'an unreadable date asks for the record');
    assert.equal((await conditional({ 'If-None-Match': 'W/"2"', 'If-Modified-Since': lastModified })).status, 200, 'If-None-Match decides when both are sent');

    const updated = await fhir('PUT', `/Patient/${patient.id}`, { token, body: { ...first.body, gender: 'other' }, headers: { 'If-Match': etag } });
    assert.equal(updated.status, 200, updated.text);
    const changed = await conditional({ 'If-None-Match': etag });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.gender, 'other');
  });

  test('history pages by _count through next links, newest first, with no version missed or repeated; _since keeps the later ones', async () => {
    const patient = await created({ gender: 'female' });
    let current = patient;
    for (const gender of ['male', 'other', 'unknown', 'female']) {
      const updated = await fhir('PUT', `/Patient/${patient.id}`, { token, body: { ...current, gender }, headers: { 'If-Match': `W/"${current.meta.versionId}"` } });
      assert.equal(updated.status, 200, updated.text);
      current = updated.body;
    }
    const seen: string[] = [];
    let url: string | undefined = `/Patient/${patient.id}/_history?_count=2`;
    for (let pages = 0; url && pages < 10; pages += 1) {
      const page: FhirAnswer = await fhir('GET', url, { token });
      assert.equal(page.status, 200, page.text);
      assert.equal(page.body.total, 5);
      assert.ok((page.body.entry as Resource[]).length <= 2);
      seen.push(...(page.body.entry as Resource[]).map((e) => e.resource.meta.versionId as string));
      url = (page.body.link as Resource[]).find((link) => link.relation === 'next')?.url;
    }
    assert.deepEqual(seen, ['5', '4', '3', '2', '1']);

    const third = await fhir('GET', `/Patient/${patient.id}/_history/3`, { token });
    const since = await fhir('GET', `/Patient/${patient.id}/_history?_since=${encodeURIComponent((third.body.meta as Resource).lastUpdated as string)}`, { token });
    assert.equal(since.status, 200, since.text);
    assert.deepEqual((since.body.entry as Resource[]).map((e) => e.resource.meta.versionId), ['5', '4', '3']);
    assert.equal(since.body.total, 3);
    const future = await fhir('GET', `/Patient/${patient.id}/_history?_since=2999-01-01T00:00:00Z`, { token });
    assert.equal(future.status, 200, 'a history with nothing since is empty, not unknown');
    assert.equal(future.body.total, 0);
    const count = await fhir('GET', `/Patient/${patient.id}/_history?_count=0`, { token });
    assert.equal(count.body.total, 5);
    assert.equal(count.body.entry, undefined);
  });

  test('history refuses parameters it does not know, a forged cursor and a malformed _since, naming each', async () => {
    const patient = await created();
    for (const [query, expression] of [['_at=2024-01-01', '_at'], ['_cursor=aGlzdG9yeTow', '_cursor'], ['_since=yesterday', '_since'], ['_count=-1', '_count'], ['_count=2&_count=3', '_count']] as const) {
      const answer = await fhir('GET', `/Patient/${patient.id}/_history?${query}`, { token });
      assert.equal(answer.status, 400, `${query}: ${answer.text}`);
      assert.deepEqual((answer.body.issue as Resource[])[0]?.expression, [expression], query);
    }
    const lenient = await fhir('GET', `/Patient/${patient.id}/_history?_at=2024-01-01`, { token, headers: { Prefer: 'handling=lenient' } });
    assert.equal(lenient.status, 200);
    const unknown = await fhir('GET', '/Patient/00000000-0000-4000-8000-00000000abcd/_history', { token });
    assert.equal(unknown.status, 404);
  });

  test('update of an unknown id is 404 (no upsert), and an id in the body that differs from the URL is 400', async () => {
    const patient = await created();
    const unknown = '00000000-0000-4000-8000-00000000abcd';
    const upsert = await fhir('PUT', `/Patient/${unknown}`, { token, body: { ...patient, id: unknown } });
    assert.equal(upsert.status, 404);
    const mismatch = await fhir('PUT', `/Patient/${patient.id}`, { token, body: { ...patient, id: unknown } });
    assert.equal(mismatch.status, 400);
    assert.deepEqual((mismatch.body.issue as Resource[])[0]?.expression, ['Patient.id']);
  });

  test('delete is 204; afterwards read is 410 Gone, the deletion is in the history, and a second delete changes nothing', async () => {
    const patient = await created();
    assert.equal((await fhir('DELETE', `/Patient/${patient.id}`, { token })).status, 204);
    const gone = await read(patient.id);
    assert.equal(gone.status, 410);
    assert.deepEqual(issueCodes(gone), ['deleted']);
    const history = await fhir('GET', `/Patient/${patient.id}/_history`, { token });
    assert.equal((history.body.entry as Resource[])[0]?.request.method, 'DELETE');
    assert.equal((await fhir('DELETE', `/Patient/${patient.id}`, { token })).status, 204);
    assert.equal((await fhir('GET', `/Patient/${patient.id}/_history/2`, { token })).status, 410);
  });

  test('Prefer return=minimal answers no body; return=OperationOutcome answers an outcome', async () => {
    const minimal = await create(fhirPatient(), { Prefer: 'return=minimal' });
    assert.equal(minimal.status, 201);
    assert.equal(minimal.text, '');
    assert.ok(minimal.headers.get('location'));
    const outcome = await create(fhirPatient(), { Prefer: 'return=OperationOutcome' });
    assert.equal(outcome.status, 201);
    assert.equal(outcome.body.resourceType, 'OperationOutcome');
  });
});

describe('identifiers and conditional create', () => {
  const system = 'urn:oid:2.16.840.1.113883.3.7777';

  test('If-None-Exist: no match creates (201), one match answers it (200), several are 412', async () => {
    const value = uniqueWord();
    const condition = { 'If-None-Exist': `identifier=${system}|${value}` };
    const first = await create(fhirPatient({ identifier: [{ system, value }] }), condition);
    assert.equal(first.status, 201);
    const again = await create(fhirPatient({ identifier: [{ system, value }] }), condition);
    assert.equal(again.status, 200);
    assert.equal(again.body.id, first.body.id);

    const family = uniqueWord();
    await created({}, family);
    await created({}, family);
    const several = await create(fhirPatient({}, family), { 'If-None-Exist': `family=${family}` });
    assert.equal(several.status, 412);
    assert.deepEqual(issueCodes(several), ['multiple-matches']);
  });

  test('an identifier held by another live patient is 409; after that patient is deleted it may be reused', async () => {
    const value = uniqueWord();
    const holder = await created({ identifier: [{ system, value }] });
    const taken = await create(fhirPatient({ identifier: [{ system, value }] }));
    assert.equal(taken.status, 409);
    assert.deepEqual(issueCodes(taken), ['duplicate']);
    await fhir('DELETE', `/Patient/${holder.id}`, { token });
    assert.equal((await create(fhirPatient({ identifier: [{ system, value }] }))).status, 201);
  });

  test('the MRN is assigned by the server: a new patient that brings one is refused, and an update cannot change it', async () => {
    const patient = await created();
    const mrn = patient.identifier[0];
    const brought = await create(fhirPatient({ identifier: [{ ...mrn }] }));
    assert.equal(brought.status, 422);
    const changed = { ...patient, identifier: [{ ...mrn, value: 'MRN-999999999' }] };
    assert.equal((await fhir('PUT', `/Patient/${patient.id}`, { token, body: changed })).status, 422);
  });
});

describe('search', () => {
  const family = uniqueWord();
  const system = 'urn:oid:2.16.840.1.113883.3.5555';
  const value = uniqueWord();
  let anna: Resource;
  let bob: Resource;
  let carla: Resource;

  before(async () => {
    anna = await created({ identifier: [{ system, value }], birthDate: '1984-07-02', gender: 'female' }, family);
    bob = await created({ name: [{ family, given: ['Böb'] }], birthDate: '1990-01-15', gender: 'male', telecom: [{ system: 'email', value: `bob.${value}@example.org` }, { system: 'phone', value: '+1 (555) 010-4242' }] }, family);
    carla = await created({ name: [{ family: `${family}-Smith`, given: ['Carla'] }], birthDate: '1984-12-31', gender: 'female' });
  });

  test('identifier as system|value, |value (no system) and value (any system)', async () => {
    assert.deepEqual(ids(await search(`identifier=${encodeURIComponent(`${system}|${value}`)}`)), [anna.id]);
    assert.deepEqual(ids(await search(`identifier=${value}`)), [anna.id]);
    assert.deepEqual(ids(await search(`identifier=${encodeURIComponent(`|${value}`)}`)), []);
    const mrn = anna.identifier.find((i: Resource) => i.type).value;
    assert.deepEqual(ids(await search(`identifier=${mrn}`)), [anna.id]);
  });

  test('family, given and name are prefix searches that ignore case and accents', async () => {
    assert.deepEqual(ids(await search(`family=${family.toLowerCase()}&_sort=birthdate`)), [anna.id, carla.id, bob.id]);
    assert.deepEqual(ids(await search(`family=${family}&given=bob`)), [bob.id]);
    assert.deepEqual(ids(await search(`family=${family}&given=MAR`)), [anna.id]);
    assert.deepEqual(ids(await search(`name=${family.toUpperCase()}&name=carl`)), [carla.id]);
    assert.deepEqual(ids(await search(`family:exact=${family}&_sort=birthdate`)), [anna.id, bob.id]);
  });

  test('birthdate with prefixes and partial dates', async () => {
    const base = `family=${family}&_sort=birthdate`;
    assert.deepEqual(ids(await search(`${base}&birthdate=1984`)), [anna.id, carla.id]);
    assert.deepEqual(ids(await search(`${base}&birthdate=1984-07`)), [anna.id]);
    assert.deepEqual(ids(await search(`${base}&birthdate=eq1984-07-02`)), [anna.id]);
    assert.deepEqual(ids(await search(`${base}&birthdate=ne1984-07-02`)), [carla.id, bob.id]);
    assert.deepEqual(ids(await search(`${base}&birthdate=gt1984`)), [bob.id]);
    assert.deepEqual(ids(await search(`${base}&birthdate=lt1985-01-01`)), [anna.id, carla.id]);
    assert.deepEqual(ids(await search(`${base}&birthdate=ge1984-12-31`)), [carla.id, bob.id]);
    assert.deepEqual(ids(await search(`${base}&birthdate=le1984-07-02`)), [anna.id]);
    assert.deepEqual(ids(await search(`${base}&birthdate=ge1984-01-01&birthdate=le1984-12-31`)), [anna.id, carla.id]);
  });

  test('gender, email, phone, telecom, _id and _lastUpdated', async () => {
    assert.deepEqual(ids(await search(`family=${family}&gender=male`)), [bob.id]);
    assert.deepEqual(ids(await search(`email=BOB.${value}@example.org`)), [bob.id]);
    assert.deepEqual(ids(await search(`phone=${encodeURIComponent('+15550104242')}&family=${family}`)), [bob.id]);
    assert.deepEqual(ids(await search(`telecom=${encodeURIComponent(`email|bob.${value}@example.org`)}`)), [bob.id]);
    assert.deepEqual(ids(await search(`_id=${anna.id},${bob.id}&_sort=birthdate`)), [anna.id, bob.id]);
    const at = (prefix: string, patient: Resource) => `family=${family}&_sort=_lastUpdated&_lastUpdated=${encodeURIComponent(prefix + patient.meta.lastUpdated)}`;
    assert.deepEqual(ids(await search(at('ge', anna))), [anna.id, bob.id, carla.id]);
    assert.deepEqual(ids(await search(at('lt', bob))), [anna.id]);
    assert.deepEqual(ids(await search(at('gt', carla))), []);
  });

  test('_sort descending, _total=accurate and _summary=count', async () => {
    const sorted = await search(`family=${family}&_sort=-birthdate&_total=accurate`);
    assert.deepEqual(ids(sorted), [bob.id, carla.id, anna.id]);
    assert.equal(sorted.body.total, 3);
    const counted = await search(`family=${family}&_summary=count`);
    assert.equal(counted.body.total, 3);
    assert.equal(counted.body.entry, undefined);
  });

  test('POST _search takes the parameters as a form', async () => {
    const answer = await fhir('POST', '/Patient/_search', {
      token,
      rawBody: `family=${family}&gender=male`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(ids(answer), [bob.id]);
  });

  test('an unknown search parameter is 400 naming it; Prefer handling=lenient ignores it and says so', async () => {
    const strict = await search(`family=${family}&shoe-size=42`);
    assert.equal(strict.status, 400);
    assert.deepEqual((strict.body.issue as Resource[])[0]?.expression, ['shoe-size']);
    const lenient = await search(`family=${family}&shoe-size=42`, { headers: { Prefer: 'handling=lenient' } });
    assert.equal(lenient.status, 200);
    assert.equal(ids(lenient).length, 3);
    const outcome = (lenient.body.entry as Resource[]).find((e) => e.search.mode === 'outcome');
    assert.match(outcome!.resource.issue[0].diagnostics, /shoe-size/);
  });
});

describe('part of a record: _summary=true and _elements', () => {
  const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED', display: 'subsetted' };

  test('a search gives the summary or the named elements of each patient, tagged SUBSETTED, on every page', async () => {
    const family = uniqueWord();
    for (let i = 0; i < 3; i += 1) await created({}, family);
    const summary = await search(`family=${family}&_summary=true&_count=2`);
    assert.equal(summary.status, 200, summary.text);
    for (const entry of summary.body.entry as Resource[]) {
      assert.equal(entry.resource.extension, undefined, 'the registered date is no summary element');
      assert.ok(entry.resource.name && entry.resource.birthDate && entry.resource.identifier);
      assert.deepEqual(entry.resource.meta.tag, [SUBSETTED]);
    }
    const next = (summary.body.link as Resource[]).find((link) => link.relation === 'next')!.url as string;
    assert.match(next, /_summary=true/);
    const second = await fhir('GET', next, { token });
    assert.deepEqual((second.body.entry as Resource[]).map((e) => e.resource.meta.tag), [[SUBSETTED]]);

    const elements = await search(`family=${family}&_elements=birthDate`);
    for (const entry of elements.body.entry as Resource[]) assert.deepEqual(Object.keys(entry.resource).sort(), ['birthDate', 'id', 'meta', 'resourceType']);
    const unknown = await search(`family=${family}&_elements=shoeSize`);
    assert.equal(unknown.status, 400);
    assert.deepEqual((unknown.body.issue as Resource[])[0]?.expression, ['_elements']);
  });

  test('a read gives part of the record on request, and that part cannot be written back', async () => {
    const patient = await created();
    const part = await fhir('GET', `/Patient/${patient.id}?_elements=name,gender`, { token });
    assert.equal(part.status, 200, part.text);
    assert.deepEqual(Object.keys(part.body).sort(), ['gender', 'id', 'meta', 'name', 'resourceType']);
    assert.deepEqual((part.body.meta as Resource).tag, [SUBSETTED]);

    const writeBack = await fhir('PUT', `/Patient/${patient.id}`, { token, body: part.body, headers: { 'If-Match': `W/"${patient.meta.versionId}"` } });
    assert.equal(writeBack.status, 422, writeBack.text);
    assert.deepEqual((writeBack.body.issue as Resource[])[0]?.expression, ['Patient.meta.tag']);
    const whole = await read(patient.id);
    assert.deepEqual(whole.body.birthDate, patient.birthDate, 'nothing was erased');
    assert.equal((whole.body.meta as Resource).versionId, patient.meta.versionId);
  });
});

describe('a name prefix alone (answered from the name words index)', () => {
  test('finds every given and family word, follows renames and deletions, and pages by next links', async () => {
    const word = uniqueWord();
    const first = await created({ name: [{ family: `${word}a`, given: ['Ida'] }] });
    const second = await created({ name: [{ family: 'Other', given: ['Ida', `${word}b`] }] });
    const third = await created({ name: [{ family: 'Other', given: [`${word}c`] }] });
    assert.deepEqual(ids(await search(`name=${word.toLowerCase()}`)), [first.id, second.id, third.id]);
    assert.deepEqual(ids(await search(`given=${word}`)), [second.id, third.id]);

    const pageOne = await search(`name=${word}&_count=2`);
    assert.deepEqual(ids(pageOne), [first.id, second.id]);
    const next = (pageOne.body.link as Resource[]).find((link) => link.relation === 'next')!.url as string;
    assert.deepEqual(ids(await fhir('GET', next, { token })), [third.id]);

    const renamed = await fhir('PUT', `/Patient/${first.id}`, { token, body: { ...first, name: [{ family: 'Renamed', given: ['Ida'] }] } });
    assert.equal(renamed.status, 200, renamed.text);
    await fhir('DELETE', `/Patient/${third.id}`, { token });
    assert.deepEqual(ids(await search(`name=${word}`)), [second.id]);
  });
});

describe('paging', () => {
  test('following next links finds every record once, while records are created meanwhile', async () => {
    const family = uniqueWord();
    const before = await Promise.all(Array.from({ length: 7 }, () => created({}, family)));
    const seen: string[] = [];
    let url: string | undefined = `/Patient?family=${family}&_count=3`;
    let pages = 0;
    while (url && pages < 10) {
      const page = await fhir('GET', url, { token });
      assert.equal(page.status, 200);
      seen.push(...ids(page));
      if (pages === 0) await created({}, family);
      url = (page.body.link as Resource[]).find((link) => link.relation === 'next')?.url;
      pages += 1;
    }
    assert.equal(new Set(seen).size, seen.length, 'no record repeated');
    for (const patient of before) assert.ok(seen.includes(patient.id), 'no record missed');
    assert.equal(seen.length, 8);
  });

  test('_count above 100 is capped; a cursor this server did not give is 400', async () => {
    const capped = await search('_count=500');
    assert.equal(capped.status, 200);
    assert.ok(ids(capped).length <= 100);
    const forged = await search('_cursor=bm9wZQ');
    assert.equal(forged.status, 400);
  });
});

describe('errors are OperationOutcomes', () => {
  const invalid = async (resource: unknown, status: number, expression?: string) => {
    const answer = await create(resource);
    assert.equal(answer.status, status, answer.text);
    assert.equal(answer.body.resourceType, 'OperationOutcome');
    if (expression) assert.ok((answer.body.issue as Resource[]).some((issue) => issue.expression?.includes(expression)), answer.text);
  };

  test('malformed JSON is 400', async () => {
    const answer = await fhir('POST', '/Patient', { token, rawBody: '{"resourceType": ', headers: { 'Content-Type': 'application/fhir+json' } });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.resourceType, 'OperationOutcome');
  });

  test('an invalid resource is 422 naming the element: unknown element, wrong type, impossible date, code outside its value set, wrong resourceType', async () => {
    await invalid(fhirPatient({ shoeSize: 42 }), 422, 'Patient.shoeSize');
    await invalid(fhirPatient({ gender: 7 }), 422, 'Patient.gender');
    await invalid(fhirPatient({ birthDate: '2023-02-30' }), 422, 'Patient.birthDate');
    await invalid(fhirPatient({ gender: 'mail' }), 422, 'Patient.gender');
    await invalid({ ...fhirPatient(), resourceType: 'Observation' }, 422);
    await invalid(fhirPatient({ maritalStatus: { text: 'married' } }), 422, 'Patient.maritalStatus');
  });

  test('XML is refused: 415 for an XML body, 406 for an XML-only Accept or _format', async () => {
    const body = await fhir('POST', '/Patient', { token, rawBody: '<Patient xmlns="http://hl7.org/fhir"/>', headers: { 'Content-Type': 'application/fhir+xml' } });
    assert.equal(body.status, 415);
    const accept = await fhir('GET', '/Patient?_count=1', { token, headers: { Accept: 'application/fhir+xml' } });
    assert.equal(accept.status, 406);
    const format = await fhir('GET', '/Patient?_count=1&_format=xml', { token });
    assert.equal(format.status, 406);
    assert.equal((await fhir('GET', '/Patient?_count=1&_format=json', { token })).status, 200);
  });

  test('an unsupported method is 405 with Allow; an unknown resource type is 404', async () => {
    const patch = await fhir('PATCH', '/Patient/00000000-0000-4000-8000-000000000000', { token, rawBody: '[]', headers: { 'Content-Type': 'application/json-patch+json' } });
    assert.equal(patch.status, 405);
    assert.match(patch.headers.get('allow') ?? '', /PUT/);
    assert.equal((await fhir('GET', '/Observation', { token })).status, 404);
  });

  test('a body over 1 MB is 413', async () => {
    const answer = await create(fhirPatient({ address: [{ text: 'x'.repeat(1024 * 1024 + 10) }] }));
    assert.equal(answer.status, 413);
  });
});

describe('who may do what', () => {
  test('a user/Patient.rs token reads and searches but cannot create, update or delete', async () => {
    const patient = await created();
    const readOnly = await tokenWithScopes(clinicianSub, 'user/Patient.rs');
    assert.equal((await fhir('GET', `/Patient/${patient.id}`, { token: readOnly })).status, 200);
    assert.equal((await search('_count=1', { token: readOnly })).status, 200);
    const write = await fhir('POST', '/Patient', { token: readOnly, body: fhirPatient() });
    assert.equal(write.status, 403);
    assert.deepEqual(issueCodes(write), ['forbidden']);
    assert.equal((await fhir('PUT', `/Patient/${patient.id}`, { token: readOnly, body: patient })).status, 403);
    assert.equal((await fhir('DELETE', `/Patient/${patient.id}`, { token: readOnly })).status, 403);
  });

  test('v1 user/Patient.write and v2 user/Patient.cud create; a read-only v1 scope cannot', async () => {
    assert.equal((await fhir('POST', '/Patient', { token: await tokenWithScopes(clinicianSub, 'user/Patient.write'), body: fhirPatient() })).status, 201);
    assert.equal((await fhir('POST', '/Patient', { token: await tokenWithScopes(clinicianSub, 'user/Patient.cud'), body: fhirPatient() })).status, 201);
    assert.equal((await fhir('POST', '/Patient', { token: await tokenWithScopes(clinicianSub, 'user/Patient.read'), body: fhirPatient() })).status, 403);
  });

  test('an analyst gets 403; without a token 401', async () => {
    const admin = await login();
    const analyst = await userWithRole(admin.token, 'analyst');
    const answer = await search('_count=1', { token: analyst.token });
    assert.equal(answer.status, 403);
    const anonymous = await fetch(`${process.env.API_URL ?? 'http://localhost:4000'}/fhir/R4/Patient`);
    assert.equal(anonymous.status, 401);
  });

  test('a FHIR read is audited like any read', async () => {
    const admin = await login();
    const patient = await created();
    await read(patient.id);
    const audit = await call('GET', `/api/audit-events?patientId=${patient.id}`, { token: admin.token });
    const actions = ((audit.body as Resource).events as Resource[]).map((event) => event.action);
    assert.ok(actions.includes('create') && actions.includes('read'), JSON.stringify(actions));
  });
});
