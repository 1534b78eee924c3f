/**
 * `POST /fhir/R4/Patient/$match` against the real stack: grades and scores of likely duplicates, each field's
 * contribution, the look-alikes that stay `possible`, and the operation's refusals.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { call, login, userWithRole } from '../support/api.js';
import { fhir, fhirPatient, tokenWithScopes, uniqueWord, type FhirAnswer } from '../support/fhir.js';

type Resource = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- FHIR JSON read by path in assertions

let token: string;
let sub: string;

before(async () => {
  const admin = await login();
  token = (await userWithRole(admin.token, 'clinician')).token;
  sub = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;
});

const match = (resource: unknown, options: { onlyCertainMatches?: boolean; count?: number; token?: string } = {}) =>
  fhir('POST', '/Patient/$match', {
    token: options.token ?? token,
    body: {
      resourceType: 'Parameters',
      parameter: [
        { name: 'resource', resource },
        ...(options.onlyCertainMatches === undefined ? [] : [{ name: 'onlyCertainMatches', valueBoolean: options.onlyCertainMatches }]),
        ...(options.count === undefined ? [] : [{ name: 'count', valueInteger: options.count }]),
      ],
    },
  });

const gradeOf = (answer: FhirAnswer, id: string) => {
  const entry = ((answer.body.entry as Resource[] | undefined) ?? []).find((candidate) => candidate.resource.id === id);
  return entry?.search.extension.find((extension: Resource) => extension.url.endsWith('/match-grade'))?.valueCode as string | undefined;
};

async function registered(family: string, given: string[], overrides: Record<string, unknown> = {}): Promise<Resource> {
  const answer = await fhir('POST', '/Patient', { token, body: fhirPatient({ name: [{ family, given }], birthDate: '1971-03-08', ...overrides }, family) });
  assert.equal(answer.status, 201, answer.text);
  return answer.body;
}

describe('$match', () => {
  test('the same person with a typo in the family name and a nickname is probable or certain, with each field explained', async () => {
    const family = uniqueWord();
    const william = await registered(family, ['William']);
    // One letter left out (swapping two could swap two equal letters and change nothing).
    const typo = `${family.slice(0, 4)}${family.slice(5)}`;
    const answer = await match({ resourceType: 'Patient', name: [{ family: typo, given: ['Bill'] }], birthDate: '1971-03-08', gender: 'female' });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.type, 'searchset');
    assert.ok(['certain', 'probable'].includes(gradeOf(answer, william.id) ?? ''), answer.text.slice(0, 500));
    const entry = (answer.body.entry as Resource[]).find((candidate) => candidate.resource.id === william.id)!;
    assert.ok(entry.search.score > 0 && entry.search.score <= 1);
    const why = entry.search.extension.filter((extension: Resource) => extension.url.endsWith('/match-contribution')).map((extension: Resource) => extension.valueString as string);
    assert.ok(why.some((line: string) => /family typo/.test(line)) && why.some((line: string) => /nickname/.test(line)), why.join('; '));
  });

  test('day and month transposed in the birth date still finds the person', async () => {
    const family = uniqueWord();
    const anna = await registered(family, ['Annabel']);
    const answer = await match({ resourceType: 'Patient', name: [{ family, given: ['Annabel'] }], birthDate: '1971-08-03' });
    assert.ok(['certain', 'probable'].includes(gradeOf(answer, anna.id) ?? ''), answer.text.slice(0, 500));
  });

  test('a twin (same family, birth date and address, another given name) is at most possible', async () => {
    const family = uniqueWord();
    const first = await registered(family, ['Rosalind']);
    const answer = await match({ resourceType: 'Patient', name: [{ family, given: ['Theodore'] }], birthDate: '1971-03-08', address: [{ text: '1 Lab Street, Zürich' }] });
    const grade = gradeOf(answer, first.id);
    assert.ok(grade === undefined || grade === 'possible', `graded ${grade}`);
  });

  test('a shared identifier is certain, and onlyCertainMatches returns only those', async () => {
    const system = 'urn:oid:2.16.840.1.113883.3.4444';
    const value = uniqueWord();
    const holder = await registered(uniqueWord(), ['Constance'], { identifier: [{ system, value }] });
    const answer = await match({ resourceType: 'Patient', name: [{ family: uniqueWord(), given: ['Someone'] }], birthDate: '1990-01-01', identifier: [{ system, value }] }, { onlyCertainMatches: true });
    assert.equal(gradeOf(answer, holder.id), 'certain');
    for (const entry of answer.body.entry as Resource[]) assert.equal(entry.search.extension[0].valueCode, 'certain');
  });

  test('count bounds the entries', async () => {
    const family = uniqueWord();
    await registered(family, ['Maximilian']);
    await registered(family, ['Maximilian'], { birthDate: '1971-03-09' });
    const answer = await match({ resourceType: 'Patient', name: [{ family, given: ['Maximilian'] }], birthDate: '1971-03-08' }, { count: 1 });
    assert.equal((answer.body.entry as Resource[]).length, 1);
  });

  test('refusals: not Parameters (400), no birth date (422), a token that may not search (403)', async () => {
    const notParameters = await fhir('POST', '/Patient/$match', { token, body: fhirPatient() });
    assert.equal(notParameters.status, 400);
    assert.equal(notParameters.body.resourceType, 'OperationOutcome');
    const noBirthDate = await match({ resourceType: 'Patient', name: [{ family: 'X', given: ['Y'] }] });
    assert.equal(noBirthDate.status, 422);
    const createOnly = await tokenWithScopes(sub, 'user/Patient.c');
    assert.equal((await match({ resourceType: 'Patient', birthDate: '1971-03-08' }, { token: createOnly })).status, 403);
  });

  test('our API answers the same candidates with the same grades, and a refused request is problem+json', async () => {
    const family = uniqueWord();
    const first = await registered(family, ['Gwendolyn']);
    const probe = { resourceType: 'Patient', name: [{ family, given: ['Gwendolin'] }], birthDate: '1971-03-08' };
    const viaFhir = await match(probe);
    const ours = await call('POST', '/api/patients/matches', {
      token,
      body: { patient: { familyName: family, givenNames: ['Gwendolin'], dateOfBirth: '1971-03-08' } },
      contract: '/api/patients/matches',
    });
    assert.equal(ours.status, 200);
    const matches = (ours.body as Resource).matches as Resource[];
    const mine = matches.find((candidate) => candidate.patient.id === first.id);
    assert.equal(mine?.grade, gradeOf(viaFhir, first.id));
    assert.ok(mine?.contributions.some((contribution: Resource) => contribution.agreement === 'given typo'));
    const refused = await call('POST', '/api/patients/matches', { token, body: { patient: { familyName: family } }, contract: '/api/patients/matches' });
    assert.equal(refused.status, 400);
  });

  test('the CapabilityStatement lists the operation', async () => {
    const statement = await fhir('GET', '/metadata');
    const patient = (statement.body.rest as Resource[])[0]?.resource.find((resource: Resource) => resource.type === 'Patient');
    assert.deepEqual(patient.operation.find((operation: Resource) => operation.name === 'match'), { name: 'match', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-match' });
  });
});
