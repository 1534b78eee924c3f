import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { call, login, newPatient, userWithRole } from '../support/api.js';

type Patient = { id: string; name: string; email: string; address: string; dateOfBirth: string; registeredDate: string; createdAt: string; updatedAt: string };
type Problem = { type: string; title: string; status: number; detail: string; errors?: { field: string; message: string }[] };

let token: string;

before(async () => {
  const admin = await login();
  token = (await userWithRole(admin.token, 'clinician')).token;
});

const create = (body: unknown) => call('POST', '/api/patients', { token, body, contract: '/api/patients' });
const read = (id: string) => call('GET', `/api/patients/${id}`, { token, contract: '/api/patients/{id}' });
const update = (id: string, body: unknown, headers: Record<string, string> = {}) =>
  call('PUT', `/api/patients/${id}`, { token, body, headers, contract: '/api/patients/{id}' });
const remove = (id: string, headers: Record<string, string> = {}) => call('DELETE', `/api/patients/${id}`, { token, headers, contract: '/api/patients/{id}' });
const search = (query: string) => call('GET', `/api/patients?${query}`, { token, contract: '/api/patients' });
const fieldsOf = (response: { body: unknown }) => ((response.body as Problem).errors ?? []).map((e) => e.field);

describe('creating a patient', () => {
  test('answers 201 with the patient, its Location and an ETag', async () => {
    const input = newPatient();
    const response = await create(input);
    assert.equal(response.status, 201);
    const patient = response.body as Patient;
    assert.match(patient.id, /^[0-9a-f-]{36}$/);
    assert.equal(response.headers.get('location'), `/api/patients/${patient.id}`);
    assert.ok(response.headers.get('etag'));
    assert.deepEqual(
      { name: patient.name, email: patient.email, address: patient.address, dateOfBirth: patient.dateOfBirth, registeredDate: patient.registeredDate },
      input,
    );
  });

  test('a duplicate email is 409, case-insensitively, and writes nothing', async () => {
    const first = newPatient();
    assert.equal((await create(first)).status, 201);
    const duplicate = await create(newPatient({ email: first.email.toUpperCase() }));
    assert.equal(duplicate.status, 409);
    const found = await search(`email=${encodeURIComponent(first.email)}`);
    assert.equal((found.body as { patients: Patient[] }).patients.length, 1);
  });

  test('missing and invalid fields are a 400 naming each field', async () => {
    const response = await create({ name: 'x'.repeat(101), email: 'not-an-email', address: 'Somewhere', dateOfBirth: '1990-01-01' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    assert.deepEqual(fieldsOf(response).sort(), ['/email', '/name', '/registeredDate']);
  });

  test('impossible calendar dates are rejected', async () => {
    const feb30 = await create(newPatient({ dateOfBirth: '2023-02-30' }));
    const month13 = await create(newPatient({ registeredDate: '2024-13-01' }));
    const notLeap = await create(newPatient({ dateOfBirth: '2023-02-29' }));
    assert.deepEqual([feb30.status, month13.status, notLeap.status], [400, 400, 400]);
    assert.deepEqual(fieldsOf(feb30), ['/dateOfBirth']);
    assert.equal((await create(newPatient({ dateOfBirth: '2024-02-29', registeredDate: '2024-03-01' }))).status, 201);
  });

  test('a birth date in the future is rejected', async () => {
    const nextYear = `${new Date().getUTCFullYear() + 1}-01-01`;
    const response = await create(newPatient({ dateOfBirth: nextYear }));
    assert.equal(response.status, 400);
    assert.deepEqual(fieldsOf(response), ['/dateOfBirth']);
  });

  test('control characters in a name are rejected; an address may span lines', async () => {
    const tabbed = await create(newPatient({ name: 'Ada\tLovelace' }));
    assert.equal(tabbed.status, 400);
    assert.deepEqual(fieldsOf(tabbed), ['/name']);
    assert.equal((await create(newPatient({ address: '1 Main Street\nSpringfield' }))).status, 201);
  });

  test('wrong types, blank names and unknown fields are rejected', async () => {
    assert.equal((await create(newPatient({ name: 42 }))).status, 400);
    assert.equal((await create(newPatient({ name: '   ' }))).status, 400);
    assert.equal((await create(newPatient({ isAdmin: true }))).status, 400);
    assert.equal((await create([newPatient()])).status, 400);
  });
});

describe('reading, correcting and deleting a patient', () => {
  test('GET returns the patient with its ETag', async () => {
    const created = (await create(newPatient())).body as Patient;
    const response = await read(created.id);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, created);
    assert.ok(response.headers.get('etag'));
  });

  test('an unknown id is 404 and a malformed id is 400', async () => {
    assert.equal((await read(crypto.randomUUID())).status, 404);
    const malformed = await read('not-a-uuid');
    assert.equal(malformed.status, 400);
    assert.deepEqual(fieldsOf(malformed), ['path.id']);
  });

  test('PUT corrects the record, gives a new ETag and never changes registeredDate', async () => {
    const createdResponse = await create(newPatient());
    const created = createdResponse.body as Patient;
    const changes = { name: 'Corrected Name', email: created.email, address: '2 New Road', dateOfBirth: '1970-03-03', registeredDate: '1999-09-09' };
    const response = await update(created.id, changes, { 'If-Match': createdResponse.headers.get('etag')! });
    assert.equal(response.status, 200);
    const updated = response.body as Patient;
    assert.equal(updated.name, 'Corrected Name');
    assert.equal(updated.address, '2 New Road');
    assert.equal(updated.dateOfBirth, '1970-03-03');
    assert.equal(updated.registeredDate, created.registeredDate);
    assert.notEqual(response.headers.get('etag'), createdResponse.headers.get('etag'));
    assert.deepEqual((await read(created.id)).body, updated);
  });

  test('PUT corrects the structured name, gender, phone and identifiers; null and [] clear them, absent keeps them', async () => {
    const createdResponse = await create(newPatient({ gender: 'female', phone: '0123 456', identifiers: [{ system: 'urn:example:e2e', value: `E-${Date.now()}` }] }));
    const created = createdResponse.body as Patient & Record<string, unknown>;
    const base = { name: created.name, email: created.email, address: created.address, dateOfBirth: created.dateOfBirth };
    const corrected = await update(
      created.id,
      { ...base, familyName: 'Lee', givenNames: ['Ann', 'Marie'], gender: null, phone: null, identifiers: [] },
      { 'If-Match': createdResponse.headers.get('etag')! },
    );
    assert.equal(corrected.status, 200, corrected.text);
    const after = corrected.body as Record<string, unknown>;
    assert.deepEqual([after.familyName, after.givenNames, after.gender, after.phone, after.identifiers], ['Lee', ['Ann', 'Marie'], null, null, []]);

    const kept = await update(created.id, { ...base, address: '3 Other Road' }, { 'If-Match': corrected.headers.get('etag')! });
    assert.equal(kept.status, 200, kept.text);
    assert.deepEqual([(kept.body as Record<string, unknown>).familyName, (kept.body as Record<string, unknown>).givenNames], ['Lee', ['Ann', 'Marie']]);
  });

  test('a stale If-Match is 412 and changes nothing', async () => {
    const createdResponse = await create(newPatient());
    const created = createdResponse.body as Patient;
    const staleTag = createdResponse.headers.get('etag')!;
    const body = { name: 'First Change', email: created.email, address: created.address, dateOfBirth: created.dateOfBirth };
    assert.equal((await update(created.id, body, { 'If-Match': staleTag })).status, 200);
    const stale = await update(created.id, { ...body, name: 'Lost Update' }, { 'If-Match': staleTag });
    assert.equal(stale.status, 412);
    assert.equal(((await read(created.id)).body as Patient).name, 'First Change');
  });

  test('two PUTs with the same If-Match at once: one is 200, the other 412 and changes nothing', async () => {
    const createdResponse = await create(newPatient());
    const created = createdResponse.body as Patient;
    const tag = createdResponse.headers.get('etag')!;
    const body = (name: string) => ({ name, email: created.email, address: created.address, dateOfBirth: created.dateOfBirth });

    const answers = await Promise.all([update(created.id, body('Change A'), { 'If-Match': tag }), update(created.id, body('Change B'), { 'If-Match': tag })]);

    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 412]);
    const winner = answers.find((a) => a.status === 200)!;
    const now = await read(created.id);
    assert.equal(now.headers.get('etag'), '"v2"');
    assert.equal((now.body as Patient).name, (winner.body as Patient).name);
  });

  test('If-Match naming several versions accepts the current one, and DELETE with a stale one is 412', async () => {
    const createdResponse = await create(newPatient());
    const created = createdResponse.body as Patient;
    const body = { name: 'Listed Version', email: created.email, address: created.address, dateOfBirth: created.dateOfBirth };
    const updated = await update(created.id, body, { 'If-Match': `"v7", ${createdResponse.headers.get('etag')!}` });
    assert.equal(updated.status, 200);
    assert.equal(updated.headers.get('etag'), '"v2"');

    assert.equal((await remove(created.id, { 'If-Match': createdResponse.headers.get('etag')! })).status, 412);
    assert.equal((await remove(created.id, { 'If-Match': updated.headers.get('etag')! })).status, 204);
  });

  test('PUT of an unknown patient is 404, and moving to a taken email is 409', async () => {
    const a = (await create(newPatient())).body as Patient;
    const b = (await create(newPatient())).body as Patient;
    const body = { name: 'X', email: a.email, address: 'Y', dateOfBirth: '1980-01-01' };
    assert.equal((await update(crypto.randomUUID(), body)).status, 404);
    assert.equal((await update(b.id, body)).status, 409);
  });

  test('DELETE answers 204 and afterwards GET, PUT and DELETE are 404', async () => {
    const created = (await create(newPatient())).body as Patient;
    assert.equal((await remove(created.id)).status, 204);
    assert.equal((await read(created.id)).status, 404);
    assert.equal((await update(created.id, { name: 'X', email: created.email, address: 'Y', dateOfBirth: '1980-01-01' })).status, 404);
    assert.equal((await remove(created.id)).status, 404);
  });

  test('a deleted patient is hidden from search and does not block reuse of its email', async () => {
    const created = (await create(newPatient())).body as Patient;
    await remove(created.id);
    const found = await search(`email=${encodeURIComponent(created.email)}`);
    assert.deepEqual((found.body as { patients: Patient[] }).patients, []);
    assert.equal((await create(newPatient({ email: created.email }))).status, 201);
  });
});

describe('finding patients', () => {
  test('name matches a case-insensitive substring, email exactly, birthdate exactly', async () => {
    const marker = `Zq${Date.now().toString(36)}`;
    const a = (await create(newPatient({ name: `Anna ${marker}son`, dateOfBirth: '1961-07-08' }))).body as Patient;
    const b = (await create(newPatient({ name: `Bert ${marker}berg`, dateOfBirth: '1961-07-09' }))).body as Patient;
    const byName = (await search(`name=${marker.toLowerCase()}`)).body as { patients: Patient[] };
    assert.deepEqual(byName.patients.map((p) => p.id), [a.id, b.id]);
    const byEmail = (await search(`email=${encodeURIComponent(b.email.toUpperCase())}`)).body as { patients: Patient[] };
    assert.deepEqual(byEmail.patients.map((p) => p.id), [b.id]);
    const byBirth = (await search(`name=${marker}&birthdate=1961-07-08`)).body as { patients: Patient[] };
    assert.deepEqual(byBirth.patients.map((p) => p.id), [a.id]);
  });

  test('a name containing LIKE wildcards matches literally', async () => {
    const response = await search('name=%25_%25');
    assert.equal(response.status, 200);
    assert.deepEqual((response.body as { patients: Patient[] }).patients, []);
  });

  test('limit above 200, below 1, or not a number is 400; a bad cursor or birthdate is 400', async () => {
    for (const query of ['limit=201', 'limit=0', 'limit=ten', 'cursor=bogus', 'birthdate=2023-02-30', 'birthdate=0000-01-01', 'name=a%00b']) {
      assert.equal((await search(query)).status, 400, query);
    }
  });

  test('cursor paging has no gaps or repeats while records are being added', async () => {
    const marker = `Pg${Date.now().toString(36)}`;
    const originals: string[] = [];
    for (let i = 0; i < 5; i += 1) originals.push(((await create(newPatient({ name: `${marker} ${i}` }))).body as Patient).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = (await search(`name=${marker}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)).body as { patients: Patient[]; nextCursor: string | null };
      seen.push(...page.patients.map((p) => p.id));
      cursor = page.nextCursor;
      pages += 1;
      // Someone registers a patient while we page.
      if (pages <= 2) await create(newPatient({ name: `${marker} late ${pages}` }));
    } while (cursor && pages < 20);
    assert.equal(new Set(seen).size, seen.length, 'no repeats');
    for (const id of originals) assert.ok(seen.includes(id), 'no gaps');
    assert.equal(seen.length, 7);
  });

  test('the default page size is 50', async () => {
    const marker = `Dflt${Date.now().toString(36)}`;
    for (let i = 0; i < 51; i += 1) assert.equal((await create(newPatient({ name: `${marker} ${i}` }))).status, 201);
    const page = (await search(`name=${marker}`)).body as { patients: Patient[]; nextCursor: string | null };
    assert.equal(page.patients.length, 50);
    assert.ok(page.nextCursor);
  });
});
