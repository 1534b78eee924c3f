/**
 * Merging two records of one person through our API (`POST /api/patients/merges`), against the real stack: the
 * preview that changes nothing, the merge (identifiers and MRN move, the source stays readable and inactive, its
 * MRN finds the target), every refusal (self, merged, deleted, cycle, stale version, scope), concurrent merges,
 * the audit trail of both records, and the unmerge.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { call, login, newPatient, userWithRole } from '../support/api.js';
import { uniqueWord } from '../support/fhir.js';

interface Patient {
  id: string;
  mrn: string;
  name: string;
  email: string;
  phone: string | null;
  version: number;
  identifiers: { system?: string; value: string }[];
  active: boolean;
  mergedInto: string | null;
  replaces: string[];
  formerMrns: string[];
}
interface MergeResult {
  mergeId: string | null;
  preview: boolean;
  result: Patient;
  source: Patient;
  fields: Record<string, string>;
}
interface Problem {
  status: number;
  code?: string;
  type: string;
  detail: string;
}

let admin: string;
let clinician: string;

before(async () => {
  admin = (await login()).token;
  clinician = (await userWithRole(admin, 'clinician')).token;
});

const LAB = 'https://lab.example.org/patients';

async function created(overrides: Record<string, unknown> = {}): Promise<Patient> {
  const response = await call('POST', '/api/patients', { token: admin, body: newPatient({ name: `Ada ${uniqueWord()}`, ...overrides }), contract: '/api/patients' });
  assert.equal(response.status, 201, response.text);
  return response.body as Patient;
}

const merge = (body: Record<string, unknown>, token = admin) => call('POST', '/api/patients/merges', { token, body, contract: '/api/patients/merges' });
const read = (id: string) => call('GET', `/api/patients/${id}`, { token: admin, contract: '/api/patients/{id}' });
const unmerge = (mergeId: string, token = admin) => call('POST', `/api/patients/merges/${mergeId}/unmerge`, { token, contract: '/api/patients/merges/{mergeId}/unmerge' });
const codeOf = (response: { body: unknown }) => (response.body as Problem).type.split('/').at(-1);

describe('a merge preview', () => {
  test('shows the result and which record each field came from, and changes nothing', async () => {
    const target = await created({ phone: null });
    const source = await created({ phone: '+41 44 555 01 99', identifiers: [{ system: LAB, value: uniqueWord() }] });
    const response = await merge({ sourceId: source.id, targetId: target.id, preview: true, result: { name: target.name, email: target.email, address: '1 Test Street, Testville', dateOfBirth: '1985-06-15', phone: '+41 44 555 01 99' } });
    assert.equal(response.status, 200, response.text);
    const outcome = response.body as MergeResult;
    assert.equal(outcome.preview, true);
    assert.equal(outcome.mergeId, null);
    assert.equal(outcome.result.id, target.id);
    assert.equal(outcome.result.phone, '+41 44 555 01 99');
    assert.deepEqual(outcome.result.formerMrns, [source.mrn]);
    assert.deepEqual(outcome.result.identifiers, source.identifiers);
    assert.equal(outcome.source.mergedInto, target.id);
    assert.equal(outcome.fields.phone, 'source');
    assert.equal(outcome.fields.name, 'target');
    assert.equal(outcome.fields.address, 'both');

    const [sourceAfter, targetAfter] = [(await read(source.id)).body as Patient, (await read(target.id)).body as Patient];
    assert.equal(sourceAfter.version, source.version);
    assert.equal(sourceAfter.active, true);
    assert.equal(targetAfter.version, target.version);
    assert.deepEqual(targetAfter.formerMrns, []);
  });
});

describe('a merge', () => {
  test('moves identifiers and MRN to the target, leaves the source readable and inactive, and its MRN finds the target', async () => {
    const labId = uniqueWord();
    const target = await created();
    const source = await created({ identifiers: [{ system: LAB, value: labId }] });
    const response = await merge({ sourceId: source.id, targetId: target.id, sourceVersion: source.version, targetVersion: target.version });
    assert.equal(response.status, 200, response.text);
    const outcome = response.body as MergeResult;
    assert.match(outcome.mergeId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(outcome.result.version, target.version + 1);
    assert.deepEqual(outcome.result.identifiers, [{ system: LAB, value: labId }]);
    assert.deepEqual(outcome.result.replaces, [source.id]);

    const sourceNow = await read(source.id);
    assert.equal(sourceNow.status, 200);
    assert.equal((sourceNow.body as Patient).active, false);
    assert.equal((sourceNow.body as Patient).mergedInto, target.id);

    const byMrn = await call('GET', `/api/patients?mrn=${source.mrn}`, { token: admin, contract: '/api/patients' });
    assert.deepEqual((byMrn.body as { patients: Patient[] }).patients.map((p) => p.id), [target.id]);
    const byName = await call('GET', `/api/patients?name=${encodeURIComponent(source.name)}`, { token: admin, contract: '/api/patients' });
    assert.deepEqual((byName.body as { patients: Patient[] }).patients, [], 'a merged record is out of searches');
  });

  test('may take the source email for the target: the source leaves the live records first', async () => {
    const target = await created();
    const source = await created();
    const result = { name: target.name, email: source.email, address: '1 Test Street, Testville', dateOfBirth: '1985-06-15' };
    const response = await merge({ sourceId: source.id, targetId: target.id, result });
    assert.equal(response.status, 200, response.text);
    assert.equal((response.body as MergeResult).result.email, source.email);
    assert.equal((response.body as MergeResult).fields.email, 'source');
  });

  test('a merged record cannot be changed or deleted, and says where it went', async () => {
    const target = await created();
    const source = await created();
    assert.equal((await merge({ sourceId: source.id, targetId: target.id })).status, 200);
    const update = await call('PUT', `/api/patients/${source.id}`, { token: admin, body: newPatient(), contract: '/api/patients/{id}' });
    assert.equal(update.status, 409);
    assert.equal(codeOf(update), 'patient-merged');
    assert.match((update.body as Problem).detail, new RegExp(target.id));
    const removal = await call('DELETE', `/api/patients/${source.id}`, { token: admin, contract: '/api/patients/{id}' });
    assert.equal(removal.status, 409);
  });

  test('is recorded in both audit trails: who, and which record each field came from', async () => {
    const target = await created();
    const source = await created();
    const { mergeId } = (await merge({ sourceId: source.id, targetId: target.id })).body as MergeResult;
    for (const id of [source.id, target.id]) {
      const trail = await call('GET', `/api/audit-events?patientId=${id}`, { token: admin, contract: '/api/audit-events' });
      const event = (trail.body as { events: { action: string; outcome: string; details?: Record<string, unknown> }[] }).events.find((e) => e.action === 'merge');
      assert.ok(event, `no merge in the audit trail of ${id}`);
      assert.equal(event.outcome, 'success');
      assert.equal(event.details?.mergeId, mergeId);
      assert.equal((event.details?.fields as Record<string, string>).name, 'target');
    }
  });

  test('keeps the versions of both records', async () => {
    const target = await created();
    const source = await created();
    await merge({ sourceId: source.id, targetId: target.id });
    const merges = await call('GET', `/api/patients/${target.id}/merges`, { token: admin, contract: '/api/patients/{id}/merges' });
    assert.equal(merges.status, 200);
    const [only] = (merges.body as { merges: { sourceId: string; undoable: boolean }[] }).merges;
    assert.equal(only?.sourceId, source.id);
    assert.equal(only?.undoable, true);
  });
});

describe('merges refused', () => {
  test('a patient into itself', async () => {
    const patient = await created();
    const response = await merge({ sourceId: patient.id, targetId: patient.id });
    assert.equal(response.status, 422);
    assert.equal(codeOf(response), 'merge-self');
  });

  test('a merged source, a merged target, and a merge back (a cycle)', async () => {
    const [a, b, c] = [await created(), await created(), await created()];
    assert.equal((await merge({ sourceId: a.id, targetId: b.id })).status, 200);
    const again = await merge({ sourceId: a.id, targetId: c.id });
    assert.equal(again.status, 422);
    assert.equal(codeOf(again), 'already-merged');
    const intoMerged = await merge({ sourceId: c.id, targetId: a.id });
    assert.equal(intoMerged.status, 422);
    assert.equal(codeOf(intoMerged), 'target-merged');
    const back = await merge({ sourceId: b.id, targetId: a.id });
    assert.equal(back.status, 422);
    assert.equal(codeOf(back), 'merge-cycle');
  });

  test('a deleted patient on either side', async () => {
    const [live, deleted] = [await created(), await created()];
    assert.equal((await call('DELETE', `/api/patients/${deleted.id}`, { token: admin })).status, 204);
    for (const body of [{ sourceId: deleted.id, targetId: live.id }, { sourceId: live.id, targetId: deleted.id }]) {
      const response = await merge(body);
      assert.equal(response.status, 422);
      assert.equal(codeOf(response), 'merge-deleted');
    }
  });

  test('a stale version, changing nothing', async () => {
    const [target, source] = [await created(), await created()];
    const response = await merge({ sourceId: source.id, targetId: target.id, targetVersion: target.version + 1 });
    assert.equal(response.status, 412);
    assert.equal(((await read(source.id)).body as Patient).active, true);
  });

  test('a malformed request is 400 and merges nothing: no target, an id that is not a UUID, an unknown field', async () => {
    const [target, source] = [await created(), await created()];
    for (const body of [{ sourceId: source.id }, { sourceId: source.id, targetId: 'not-a-uuid' }, { sourceId: source.id, targetId: target.id, keep: 'all' }]) {
      const response = await merge(body);
      assert.equal(response.status, 400, JSON.stringify(body));
    }
    assert.equal(((await read(source.id)).body as Patient).active, true);
    assert.equal((await unmerge('not-a-uuid')).status, 400);
    assert.equal((await call('GET', '/api/patients/not-a-uuid/merges', { token: admin, contract: '/api/patients/{id}/merges' })).status, 400);
  });

  test('an unknown patient is 404', async () => {
    const target = await created();
    const response = await merge({ sourceId: '00000000-0000-4000-8000-000000000000', targetId: target.id });
    assert.equal(response.status, 404);
  });

  test('a result whose email another live patient holds is 409, and nothing is merged', async () => {
    const [target, source, other] = [await created(), await created(), await created()];
    const result = { name: target.name, email: other.email, address: '1 Test Street, Testville', dateOfBirth: '1985-06-15' };
    const response = await merge({ sourceId: source.id, targetId: target.id, result });
    assert.equal(response.status, 409);
    assert.equal(((await read(source.id)).body as Patient).active, true);
    assert.equal(((await read(target.id)).body as Patient).version, target.version);
  });

  test('a clinician (no patients:merge) gets 403', async () => {
    const [target, source] = [await created(), await created()];
    const response = await merge({ sourceId: source.id, targetId: target.id }, clinician);
    assert.equal(response.status, 403);
  });

  test('two merges of one source at once: one wins, the other is refused, none half-done', async () => {
    const [source, first, second] = [await created(), await created(), await created()];
    const responses = await Promise.all([merge({ sourceId: source.id, targetId: first.id }), merge({ sourceId: source.id, targetId: second.id })]);
    assert.deepEqual(responses.map((r) => r.status).sort(), [200, 422], responses.map((r) => r.text).join('\n'));
    const winner = responses.find((r) => r.status === 200)!.body as MergeResult;
    const loserId = winner.result.id === first.id ? second.id : first.id;
    assert.equal(((await read(source.id)).body as Patient).mergedInto, winner.result.id);
    const loser = (await read(loserId)).body as Patient;
    assert.deepEqual([loser.version, loser.replaces], [1, []]);
  });

  test('an edit of the target during a merge at its version: either the merge is refused (412) or it saw no edit; never half-merged', async () => {
    const [target, source] = [await created(), await created()];
    const edit = { name: target.name, email: target.email, address: 'Edited Street 3', dateOfBirth: '1985-06-15' };
    const [merged, edited] = await Promise.all([
      merge({ sourceId: source.id, targetId: target.id, targetVersion: target.version }),
      call('PUT', `/api/patients/${target.id}`, { token: admin, body: edit, headers: { 'If-Match': `"v${target.version}"` } }),
    ]);
    assert.deepEqual([merged.status, edited.status].sort(), [200, 412], `merge ${merged.status}, edit ${edited.status}`);
    const [sourceNow, targetNow] = [(await read(source.id)).body as Patient, (await read(target.id)).body as Patient];
    if (merged.status === 200) assert.deepEqual([sourceNow.mergedInto, targetNow.replaces, targetNow.version], [target.id, [source.id], target.version + 1]);
    else assert.deepEqual([sourceNow.active, targetNow.replaces, targetNow.version], [true, [], target.version + 1]);
  });

  test('merges in opposite directions at once: exactly one happens (no deadlock, no cycle)', async () => {
    const [a, b] = [await created(), await created()];
    const responses = await Promise.all([merge({ sourceId: a.id, targetId: b.id }), merge({ sourceId: b.id, targetId: a.id })]);
    assert.deepEqual(responses.map((r) => r.status).sort(), [200, 422], responses.map((r) => r.text).join('\n'));
  });
});

describe('unmerge', () => {
  test('gives both records back as they were, identifiers included, and keeps the history', async () => {
    const labId = uniqueWord();
    const target = await created();
    const source = await created({ identifiers: [{ system: LAB, value: labId }] });
    const result = { name: `Merged ${uniqueWord()}`, email: target.email, address: '1 Test Street, Testville', dateOfBirth: '1985-06-15' };
    const { mergeId } = (await merge({ sourceId: source.id, targetId: target.id, result })).body as MergeResult;
    const response = await unmerge(mergeId!);
    assert.equal(response.status, 200, response.text);
    const { source: restoredSource, target: restoredTarget } = response.body as { source: Patient; target: Patient };
    assert.equal(restoredSource.active, true);
    assert.equal(restoredSource.mergedInto, null);
    assert.deepEqual(restoredSource.identifiers, [{ system: LAB, value: labId }]);
    assert.equal(restoredTarget.name, target.name);
    assert.deepEqual([restoredTarget.identifiers, restoredTarget.formerMrns, restoredTarget.replaces], [[], [], []]);
    assert.equal(restoredTarget.version, target.version + 2);

    const byMrn = await call('GET', `/api/patients?mrn=${source.mrn}`, { token: admin, contract: '/api/patients' });
    assert.deepEqual((byMrn.body as { patients: Patient[] }).patients.map((p) => p.id), [source.id]);
    const again = await unmerge(mergeId!);
    assert.equal(again.status, 409);
    assert.equal(codeOf(again), 'already-unmerged');
    const trail = await call('GET', `/api/audit-events?patientId=${target.id}`, { token: admin, contract: '/api/audit-events' });
    const actions = (trail.body as { events: { action: string }[] }).events.map((e) => e.action);
    assert.ok(actions.includes('merge') && actions.includes('unmerge'), actions.join(', '));
  });

  test('is refused once the target changed after the merge', async () => {
    const [target, source] = [await created(), await created()];
    const { mergeId, result } = (await merge({ sourceId: source.id, targetId: target.id })).body as MergeResult;
    const edit = await call('PUT', `/api/patients/${target.id}`, { token: admin, body: { name: result.name, email: result.email, address: 'Another Street 2', dateOfBirth: '1985-06-15' } });
    assert.equal(edit.status, 200, edit.text);
    const response = await unmerge(mergeId!);
    assert.equal(response.status, 409);
    assert.equal(codeOf(response), 'merge-changed-since');
    assert.equal(((await read(source.id)).body as Patient).active, false);
  });

  test('needs patients:merge, and an unknown merge is 404', async () => {
    const [target, source] = [await created(), await created()];
    const { mergeId } = (await merge({ sourceId: source.id, targetId: target.id })).body as MergeResult;
    assert.equal((await unmerge(mergeId!, clinician)).status, 403);
    assert.equal((await unmerge('00000000-0000-4000-8000-000000000000')).status, 404);
  });
});
