/**
 * Recording a charge: POST /api/patients/{id}/invoices goes to the billing server's CreateInvoice, once per
 * Idempotency-Key, and the invoice shows in the patient's billing view, newest first.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { SpawnedBillingServer } from '../../billing-server/launcher.js';
import { closeBillingClient, getBillingAccount, mergeBillingAccounts } from '../../functions/billing/billing.client.js';
import { call, eventually, login, newPatient, userWithRole } from '../support/api.js';
import { closeBillingDatabase, startBillingServer, warmUpBillingView } from '../support/billing.js';
import { rememberSentFields } from '../support/sent-values.js';

type Problem = { type: string; status: number; errors?: { field: string; message: string }[] };
type Invoice = { id: string; accountId: string; currency: string; description: string; totalAmount: string; status: string; createdAt: string };
type PatientBilling = { account: { accountId: string }; invoices: Invoice[] };

const PATH = '/api/patients/{id}/invoices';
const charge = { amount: '123.45', currency: 'EUR', description: 'Consultation' };

let billing: SpawnedBillingServer;
let clinician: string;
let analyst: string;
let patientId: string;
let accountId: string;

async function registerPatientWithAccount(): Promise<{ patientId: string; accountId: string }> {
  const created = await call('POST', '/api/patients', { token: clinician, body: newPatient() });
  assert.equal(created.status, 201);
  const id = (created.body as { id: string }).id;
  const account = await eventually(() => getBillingAccount(id).catch(() => undefined), 30_000);
  return { patientId: id, accountId: account.accountId };
}

function postInvoice(id: string, body: unknown, options: { key?: string | null; token?: string } = {}) {
  const headers: Record<string, string> = {};
  if (options.key !== null) headers['Idempotency-Key'] = options.key ?? randomUUID();
  return call('POST', `/api/patients/${id}/invoices`, { token: options.token ?? clinician, body, headers, contract: PATH });
}

const readBilling = (id: string) => call('GET', `/api/patients/${id}/billing`, { token: clinician, contract: '/api/patients/{id}/billing' });
const fieldsOf = (body: unknown) => ((body as Problem).errors ?? []).map((e) => e.field);

before(async () => {
  billing = await startBillingServer('invoices-e2e');
  const admin = await login();
  clinician = (await userWithRole(admin.token, 'clinician')).token;
  analyst = (await userWithRole(admin.token, 'analyst')).token;
  await warmUpBillingView(clinician);
  ({ patientId, accountId } = await registerPatientWithAccount());
});

after(async () => {
  closeBillingClient();
  await closeBillingDatabase();
  await billing?.stop();
});

describe('POST /api/patients/{id}/invoices', () => {
  test('answers 201 with an OPEN invoice of the amount on the patient’s account', async () => {
    const response = await postInvoice(patientId, charge);

    assert.equal(response.status, 201);
    const invoice = response.body as Invoice;
    assert.equal(invoice.accountId, accountId);
    assert.equal(invoice.currency, 'EUR');
    assert.equal(invoice.description, 'Consultation');
    assert.equal(invoice.totalAmount, '123.45');
    assert.equal(invoice.status, 'OPEN');
  });

  test('the same key and body twice (a double submit) create one invoice', async () => {
    const { patientId: id } = await registerPatientWithAccount();
    const key = randomUUID();

    const [first, second] = await Promise.all([postInvoice(id, charge, { key }), postInvoice(id, charge, { key })]);
    const third = await postInvoice(id, charge, { key });

    assert.deepEqual([first.status, second.status, third.status], [201, 201, 201]);
    const ids = new Set([first, second, third].map((r) => (r.body as Invoice).id));
    assert.equal(ids.size, 1);
    const view = (await readBilling(id)).body as PatientBilling;
    assert.deepEqual(view.invoices.map((i) => i.id), [...ids]);
  });

  test('the same key with a different body is a 409 and issues nothing', async () => {
    const { patientId: id } = await registerPatientWithAccount();
    const key = randomUUID();
    assert.equal((await postInvoice(id, charge, { key })).status, 201);

    const response = await postInvoice(id, { ...charge, amount: '99.00' }, { key });

    assert.equal(response.status, 409);
    assert.match((response.body as Problem).type, /idempotency-key-reused$/);
    assert.equal(((await readBilling(id)).body as PatientBilling).invoices.length, 1);
  });

  test('the billing view lists the patient’s invoices newest first with decimal amounts', async () => {
    const { patientId: id } = await registerPatientWithAccount();
    const posted = [
      await postInvoice(id, { amount: '10', currency: 'EUR', description: 'First' }),
      await postInvoice(id, { amount: '20.5', currency: 'EUR', description: 'Second' }),
      await postInvoice(id, { amount: '3000', currency: 'JPY', description: 'Third' }),
    ];
    assert.deepEqual(posted.map((response) => response.status), [201, 201, 201]);

    const view = (await readBilling(id)).body as PatientBilling;

    assert.deepEqual(view.invoices.map((i) => [i.description, i.totalAmount, i.currency, i.status]), [
      ['Third', '3000', 'JPY', 'OPEN'],
      ['Second', '20.50', 'EUR', 'OPEN'],
      ['First', '10.00', 'EUR', 'OPEN'],
    ]);
  });

  test('answers 400 naming the header when Idempotency-Key is missing or malformed', async () => {
    const missing = await postInvoice(patientId, charge, { key: null });
    const malformed = await postInvoice(patientId, charge, { key: 'has spaces in it' });

    assert.equal(missing.status, 400);
    assert.deepEqual(fieldsOf(missing.body), ['header.Idempotency-Key']);
    assert.equal(malformed.status, 400);
    assert.deepEqual(fieldsOf(malformed.body), ['header.Idempotency-Key']);
  });

  test('answers 400 naming each bad field of the charge', async () => {
    const cases: [unknown, string[]][] = [
      [{ ...charge, amount: '0' }, ['/amount']],
      [{ ...charge, amount: '-5' }, ['/amount']],
      [{ ...charge, amount: '1.234' }, ['/amount']],
      [{ ...charge, amount: 12.5 }, ['/amount']],
      [{ ...charge, amount: '12.5', currency: 'JPY' }, ['/amount']],
      [{ ...charge, currency: 'eur' }, ['/currency']],
      [{ ...charge, currency: 'XYZ' }, ['/currency']],
      [{ ...charge, description: '   ' }, ['/description']],
      [{ ...charge, description: 'x'.repeat(201) }, ['/description']],
      [{ amount: '1.00', currency: 'EUR' }, ['/description']],
    ];
    for (const [body, fields] of cases) {
      const response = await postInvoice(patientId, body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.deepEqual(fieldsOf(response.body), fields, JSON.stringify(body));
    }
  });

  test('answers 404 for a patient that does not exist', async () => {
    const response = await postInvoice(randomUUID(), charge);

    assert.equal(response.status, 404);
  });

  test('answers 409 when the patient has no billing account', async () => {
    // A patient row without the outbox message that would open its account. Removed again afterwards: a
    // patient without its events would put analytics' exactness checks (test/support/kafka.ts) one off for
    // every file after this one.
    const patient = { name: 'No Account', email: `no.account.${randomUUID()}@example.org`, address: '1 Test Street', dateOfBirth: '1980-01-01' };
    rememberSentFields(patient);
    const database = new pg.Client({ connectionString: process.env.TEST_STACK_DATABASE_URL });
    await database.connect();
    try {
      const { rows } = await database.query<{ id: string }>(
        `insert into patients (name, email, address, date_of_birth, registered_date) values ($1, $2, $3, $4, '2024-01-01') returning id`,
        [patient.name, patient.email, patient.address, patient.dateOfBirth],
      );
      try {
        const response = await postInvoice(rows[0]!.id, charge);

        assert.equal(response.status, 409);
        assert.match((response.body as Problem).type, /billing-account-missing$/);
      } finally {
        await database.query('delete from patients where id = $1', [rows[0]!.id]);
      }
    } finally {
      await database.end();
    }
  });

  test('answers 409 when the patient\'s billing account was merged into another patient\'s', async () => {
    const source = await registerPatientWithAccount();
    const target = await registerPatientWithAccount();
    const issued = await postInvoice(source.patientId, charge);
    // Billing's side of a merge of the two records, as the outbox relay delivers it.
    await mergeBillingAccounts({ mergeId: randomUUID(), sourcePatientId: source.patientId, targetPatientId: target.patientId, undo: false });

    const response = await postInvoice(source.patientId, charge);

    assert.equal(response.status, 409);
    assert.match((response.body as Problem).type, /billing-account-merged$/);
    const targetBilling = await readBilling(target.patientId);
    assert.deepEqual((targetBilling.body as PatientBilling).invoices.map((invoice) => invoice.id), [(issued.body as Invoice).id]);
  });

  test('answers 403 to an analyst, whose token lacks patients:write', async () => {
    const response = await postInvoice(patientId, charge, { token: analyst });

    assert.equal(response.status, 403);
  });

  test('is in the patient’s audit trail', async () => {
    const admin = await login();
    const { patientId: id } = await registerPatientWithAccount();
    assert.equal((await postInvoice(id, charge)).status, 201);

    const audit = await call('GET', `/api/audit-events?patientId=${id}`, { token: admin.token, contract: '/api/audit-events' });

    const actions = (audit.body as { events: { action: string; outcome: string }[] }).events.map((e) => `${e.action}:${e.outcome}`);
    assert.ok(actions.includes('read_billing:success'), actions.join(', '));
  });
});

describe('while the billing server is down', () => {
  before(async () => {
    await billing.stop();
  });

  test('answers 503 problem+json with Retry-After', async () => {
    const response = await postInvoice(patientId, charge);

    assert.equal(response.status, 503);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    assert.ok(Number(response.headers.get('retry-after')) > 0);
  });
});
