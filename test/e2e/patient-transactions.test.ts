/**
 * A patient change, its audit record and its outbox message are one transaction: when the audit or the outbox
 * write fails inside an update or a delete, nothing of the change is left, and the client gets a clean problem.
 * The write is made to fail for one patient only, by a trigger the test adds to the stack's database and removes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { call, login, newPatient, userWithRole, type RequestOptions } from '../support/api.js';

type Fault = { table: 'audit_events' | 'outbox'; column: 'patient_id' | 'aggregate_id'; sqlstate: string };
/** A failure the API reports as its own (500, nothing disclosed): a constraint our code should never break. */
const BROKEN = '23514';
/** A failure it reports as passing (503 with Retry-After): a lock it could not get in time. */
const BUSY = '55P03';

let token: string;
let database: pg.Client;

before(async () => {
  token = (await userWithRole((await login()).token, 'clinician')).token;
  database = new pg.Client({ connectionString: process.env.TEST_STACK_DATABASE_URL });
  await database.connect();
});

after(async () => {
  await database?.end();
});

/** Makes inserts into `fault.table` for this patient fail with `fault.sqlstate` while `work` runs. */
async function whileWritesFail<T>(patientId: string, fault: Fault, work: () => Promise<T>): Promise<T> {
  const name = `test_fault_${randomBytes(4).toString('hex')}`;
  // Only the change's own record: the audit row of the failed attempt (written after the rollback) may go in.
  const only = fault.table === 'audit_events' ? ` and new.outcome = 'success'` : '';
  await database.query(`create function ${name}() returns trigger language plpgsql as $$
    begin raise exception 'injected fault' using errcode = '${fault.sqlstate}'; end $$`);
  await database.query(`create trigger ${name} before insert on ${fault.table} for each row
    when (new.${fault.column}::text = '${patientId}'${only}) execute function ${name}()`);
  try {
    return await work();
  } finally {
    await database.query(`drop trigger ${name} on ${fault.table}`);
    await database.query(`drop function ${name}()`);
  }
}

async function traceOf(patientId: string) {
  const patient = await database.query('select name, version, deleted_at from patients where id = $1', [patientId]);
  const audit = await database.query(`select action, outcome from audit_events where patient_id = $1 and action in ('update', 'delete') order by id`, [patientId]);
  const outbox = await database.query('select count(*)::int as n from outbox where aggregate_id = $1', [patientId]);
  return { patient: patient.rows[0] as unknown, audit: audit.rows as { action: string; outcome: string }[], outboxRows: (outbox.rows[0] as { n: number }).n };
}

const cases = [
  { change: 'update', failing: 'audit record', fault: { table: 'audit_events', column: 'patient_id', sqlstate: BROKEN } },
  { change: 'update', failing: 'outbox message', fault: { table: 'outbox', column: 'aggregate_id', sqlstate: BUSY } },
  { change: 'delete', failing: 'audit record', fault: { table: 'audit_events', column: 'patient_id', sqlstate: BUSY } },
  { change: 'delete', failing: 'outbox message', fault: { table: 'outbox', column: 'aggregate_id', sqlstate: BROKEN } },
] as const;

describe('a patient change, its audit record and its outbox message', () => {
  for (const { change, failing, fault } of cases) {
    const answer = fault.sqlstate === BUSY ? '503 with Retry-After' : '500 without details';
    test(`${change === 'update' ? 'an update' : 'a delete'} whose ${failing} cannot be written leaves nothing behind and answers ${answer}`, async () => {
      const created = await call('POST', '/api/patients', { token, body: newPatient(), contract: '/api/patients' });
      assert.equal(created.status, 201);
      const { id } = created.body as { id: string };
      const request: RequestOptions = { token, headers: { 'If-Match': created.headers.get('etag')! } };
      if (change === 'update') request.body = { ...newPatient(), name: 'Changed Name' };
      const send = () => call(change === 'update' ? 'PUT' : 'DELETE', `/api/patients/${id}`, request);
      const before = await traceOf(id);

      const response = await whileWritesFail(id, fault, send);

      assert.equal(response.headers.get('content-type'), 'application/problem+json');
      if (fault.sqlstate === BUSY) {
        assert.equal(response.status, 503, response.text);
        assert.match(response.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
      } else {
        assert.equal(response.status, 500, response.text);
        assert.equal(response.text.includes('injected fault'), false, 'the cause stays in the logs');
      }
      const after = await traceOf(id);
      assert.deepEqual(after.patient, before.patient, 'the patient row is as it was');
      assert.equal(after.outboxRows, before.outboxRows, 'no outbox message');
      assert.deepEqual(after.audit, [{ action: change, outcome: 'error' }], 'no record of a change, only of the failed attempt');

      // With the fault gone, the very same request goes through: it was the failing write that stopped it.
      assert.equal((await send()).status, change === 'update' ? 200 : 204);
      // Its event for Kafka and the duplicate report's rescan of the patient.
      assert.equal((await traceOf(id)).outboxRows, before.outboxRows + 2);
    });
  }
});
