import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { before, describe, test } from 'node:test';
import { call, login, newPatient, userWithRole } from '../support/api.js';

type AuditEvent = { actor: string; action: string; patientId: string | null; outcome: string; requestId: string; occurredAt: string };

let adminToken: string;
let clinician: { token: string };

before(async () => {
  adminToken = (await login()).token;
  clinician = await userWithRole(adminToken, 'clinician');
});

const auditOf = async (patientId: string) => {
  const response = await call('GET', `/api/audit-events?patientId=${patientId}`, { token: adminToken, contract: '/api/audit-events' });
  assert.equal(response.status, 200);
  return (response.body as { events: AuditEvent[] }).events;
};

describe('the audit trail', () => {
  test('records who created, read, listed, updated and deleted a patient, newest first', async () => {
    const input = newPatient();
    const created = await call('POST', '/api/patients', { token: clinician.token, body: input });
    const id = (created.body as { id: string }).id;
    await call('GET', `/api/patients/${id}`, { token: clinician.token });
    await call('GET', `/api/patients?email=${encodeURIComponent(input.email)}`, { token: clinician.token });
    await call('PUT', `/api/patients/${id}`, { token: clinician.token, body: { ...input, name: 'Renamed' } });
    await call('DELETE', `/api/patients/${id}`, { token: clinician.token });
    await call('GET', `/api/patients/${id}`, { token: clinician.token });

    const events = await auditOf(id);
    assert.deepEqual(
      events.map((e) => [e.action, e.outcome]),
      [['read', 'not_found'], ['delete', 'success'], ['update', 'success'], ['list', 'success'], ['read', 'success'], ['create', 'success']],
    );
    const sub = decodeJwt(clinician.token).sub;
    assert.ok(events.every((e) => e.actor === sub && e.requestId && e.occurredAt));
  });

  test('a stale If-Match attempt is audited as precondition_failed', async () => {
    const created = await call('POST', '/api/patients', { token: clinician.token, body: newPatient() });
    const id = (created.body as { id: string }).id;
    await call('DELETE', `/api/patients/${id}`, { token: clinician.token, headers: { 'If-Match': '"v999"' } });
    const [latest] = await auditOf(id);
    assert.deepEqual([latest?.action, latest?.outcome], ['delete', 'precondition_failed']);
  });

  test('patientId is required', async () => {
    const response = await call('GET', '/api/audit-events', { token: adminToken, contract: '/api/audit-events' });
    assert.equal(response.status, 400);
  });
});
