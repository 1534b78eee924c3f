/**
 * A clinician's journeys in the web console, in Debian's Chromium against the test stack (with the real
 * billing server, which one test stops): keyboard-only registration (adding an identifier row), the structured
 * name, gender, phone and identifiers registered and corrected, search by MRN and paging, field errors on their
 * fields (inside identifier rows too), 409 on the email field and on the identifiers, 412 with re-apply, deletion, an invoice created once under a double submit and
 * once when sent again after its answer was lost, and the patient page while billing is down.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page, Request } from 'playwright-core';
import type { SpawnedBillingServer } from '../../billing-server/launcher.js';
import type { ConsoleServer } from '../../scripts/local/console.js';
import { call, eventually, login, newPatient, userWithRole } from '../support/api.js';
import { closeBillingDatabase, startBillingServer, storedInvoices, warmUpBillingView } from '../support/billing.js';
import { launchChromium, serveConsole, signedInPage } from '../support/browser.js';

let server: ConsoleServer;
let browser: Browser;
let billing: SpawnedBillingServer;
let clinician: { email: string; password: string; token: string };
let page: Page;

before(async () => {
  billing = await startBillingServer('console-patients-billing');
  server = await serveConsole();
  browser = await launchChromium();
  clinician = await userWithRole((await login()).token, 'clinician');
  await warmUpBillingView(clinician.token);
  ({ page } = await signedInPage(browser, server.url, clinician));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await closeBillingDatabase();
  await billing?.stop();
});

type Patient = { id: string; mrn: string; name: string; email: string; identifiers: { system?: string; value: string }[] };

async function registerThroughApi(overrides: Record<string, unknown> = {}): Promise<Patient> {
  const response = await call('POST', '/api/patients', { token: clinician.token, body: newPatient(overrides) });
  assert.equal(response.status, 201, response.text);
  return response.body as Patient;
}

async function openPatient(patient: Patient) {
  await page.goto(`/patients/${patient.id}`);
  await page.getByRole('heading', { name: patient.name, level: 1 }).waitFor();
}

/** A field's accessible description once it is marked invalid: the error message Mantine shows, then its hint if it has one. */
async function fieldDescriptions(label: string): Promise<string[]> {
  const field = page.getByRole('textbox', { name: label, exact: true });
  await field.and(page.locator('[aria-invalid="true"]')).waitFor();
  const describedBy = (await field.getAttribute('aria-describedby')) ?? '';
  return Promise.all(describedBy.split(' ').filter(Boolean).map(async (id) => (await page.locator(`[id="${id}"]`).textContent()) ?? ''));
}

/** On the new-patient form: the fields every registration needs. */
async function fillRequiredFields(fields: { name: string; email: string; address: string; dateOfBirth: string }) {
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(fields.name);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(fields.email);
  await page.getByRole('textbox', { name: 'Address', exact: true }).fill(fields.address);
  await page.getByRole('textbox', { name: 'Date of birth', exact: true }).fill(fields.dateOfBirth);
}

/** Adds an identifier row to the form and fills what is given; the row, to look inside. */
async function addIdentifier(identifier: { system?: string; value?: string }) {
  await page.getByRole('button', { name: 'Add identifier' }).click();
  const row = page.getByRole('group', { name: /^Identifier \d+$/ }).last();
  if (identifier.system !== undefined) await row.getByRole('textbox', { name: 'Identifier system' }).fill(identifier.system);
  if (identifier.value !== undefined) await row.getByRole('textbox', { name: 'Identifier value' }).fill(identifier.value);
  return row;
}

describe('registering a patient', () => {
  test('works with the keyboard alone, from the list to the new record', async () => {
    const fields = newPatient();
    await page.goto('/patients');
    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
    // The heading has the focus; the next stop is "New patient".
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'New patient', level: 1 }).waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.type(fields.name);
    await page.keyboard.press('Tab');
    await page.keyboard.type(fields.email);
    // Given names and family name are left empty: they are taken from the name.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type(fields.address);
    await page.keyboard.press('Tab');
    await page.keyboard.type(fields.dateOfBirth);
    // Registered date (today), gender, phone, then "Add identifier": the new row's first field gets the focus.
    for (let i = 0; i < 4; i += 1) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const row = page.getByRole('group', { name: 'Identifier 1' });
    await row.getByRole('textbox', { name: 'Identifier system' }).and(page.locator(':focus')).waitFor();
    await page.keyboard.type('urn:example:keyboard');
    await page.keyboard.press('Tab');
    await page.keyboard.type(`kb-${fields.email}`);
    // Past "Remove identifier 1", "Add identifier" and, when they have appeared, the possible duplicates' links, to Save.
    const save = page.getByRole('button', { name: 'Save' });
    const saveFocused = save.and(page.locator(':focus'));
    for (let i = 0; i < 20 && (await saveFocused.count()) === 0; i += 1) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: fields.name, level: 1 }).waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Email', exact: true }).inputValue(), fields.email);
    assert.equal(await page.getByRole('textbox', { name: 'Date of birth', exact: true }).inputValue(), fields.dateOfBirth);
    assert.equal(await page.getByRole('textbox', { name: 'Family name', exact: true }).inputValue(), fields.name.split(' ').at(-1));
    assert.equal(await row.getByRole('textbox', { name: 'Identifier value' }).inputValue(), `kb-${fields.email}`);
  });

  test('a name made from the given and family names, with gender, phone and an identifier; the page shows the MRN', async () => {
    const unique = Date.now().toString(36);
    await page.goto('/patients/new');
    await page.getByRole('textbox', { name: 'Given names', exact: true }).fill('Grace  Ann');
    await page.getByRole('textbox', { name: 'Family name', exact: true }).fill(`Hopper${unique}`);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(`grace.${unique}@example.org`);
    await page.getByRole('textbox', { name: 'Address', exact: true }).fill('3 Street');
    await page.getByRole('textbox', { name: 'Date of birth', exact: true }).fill('1976-12-09');
    await page.getByRole('combobox', { name: 'Gender' }).selectOption({ label: 'Female' });
    await page.getByRole('textbox', { name: 'Phone', exact: true }).fill('+44 20 7946 0001');
    await addIdentifier({ system: 'urn:example:clinic', value: `G-${unique}` });
    await page.getByRole('button', { name: 'Save' }).click();

    await page.getByRole('heading', { name: `Grace Ann Hopper${unique}`, level: 1 }).waitFor();
    const id = new URL(page.url()).pathname.split('/').at(-1)!;
    const stored = (await call('GET', `/api/patients/${id}`, { token: clinician.token })).body as Record<string, unknown>;
    await page.getByText(String(stored.mrn)).waitFor();
    assert.deepEqual(
      [stored.name, stored.givenNames, stored.familyName, stored.gender, stored.phone, stored.identifiers],
      [`Grace Ann Hopper${unique}`, ['Grace', 'Ann'], `Hopper${unique}`, 'female', '+44 20 7946 0001', [{ system: 'urn:example:clinic', value: `G-${unique}` }]],
    );
    assert.equal(await page.getByRole('combobox', { name: 'Gender' }).inputValue(), 'female');
    assert.equal(await page.getByRole('textbox', { name: 'Given names', exact: true }).inputValue(), 'Grace Ann');
  });

  test('an error inside an identifier row appears on its field', async () => {
    await page.goto('/patients/new');
    await fillRequiredFields(newPatient());
    await addIdentifier({ system: 'urn:example:clinic' });
    await page.getByRole('button', { name: 'Save' }).click();
    const [message] = await fieldDescriptions('Identifier value');
    assert.ok(message, 'the empty identifier value has no message');
    assert.notEqual(await page.getByRole('textbox', { name: 'Identifier system', exact: true }).getAttribute('aria-invalid'), 'true');
    assert.match(page.url(), /\/patients\/new$/);
  });

  test('field errors from the API appear on the fields they name', async () => {
    await page.goto('/patients/new');
    await fillRequiredFields({ name: 'Someone Valid', email: 'not-an-email', address: '1 Street', dateOfBirth: '15/06/1985' });
    await page.getByRole('button', { name: 'Save' }).click();
    assert.deepEqual(await fieldDescriptions('Email'), ['must be a valid email']);
    assert.deepEqual(await fieldDescriptions('Date of birth'), ['is not valid: Calendar date, YYYY-MM-DD.', 'YYYY-MM-DD']);
    assert.notEqual(await page.getByRole('textbox', { name: 'Name', exact: true }).getAttribute('aria-invalid'), 'true');
  });

  test('a taken email (409) is shown on the email field', async () => {
    const existing = await registerThroughApi();
    await page.goto('/patients/new');
    await fillRequiredFields(newPatient({ email: existing.email }));
    await page.getByRole('button', { name: 'Save' }).click();
    assert.deepEqual(await fieldDescriptions('Email'), ['Another patient already uses this email.']);
    assert.match(page.url(), /\/patients\/new$/);
  });

  test('an identifier another patient has (409) is said so at the identifiers, not on the email', async () => {
    const identifier = { system: 'urn:example:clinic', value: `T-${Date.now().toString(36)}` };
    await registerThroughApi({ identifiers: [identifier] });
    await page.goto('/patients/new');
    await fillRequiredFields(newPatient());
    await addIdentifier(identifier);
    await page.getByRole('button', { name: 'Save' }).click();
    const identifiers = page.getByRole('group', { name: 'External identifiers' });
    await identifiers.getByText('Another patient already has one of these identifiers', { exact: false }).waitFor();
    assert.match((await identifiers.getAttribute('aria-describedby')) ?? '', /error/);
    assert.notEqual(await page.getByRole('textbox', { name: 'Email', exact: true }).getAttribute('aria-invalid'), 'true');
    assert.match(page.url(), /\/patients\/new$/);
  });
});

describe('finding patients', () => {
  test('by name as they type, by email and by birth date, paging through long lists', async () => {
    const tag = `Findme${Date.now().toString(36)}`;
    // A birth date no other test uses, so that these patients are the only ones born that day.
    const pad = (n: number) => String(n).padStart(2, '0');
    const born = `19${pad(10 + Math.floor(Math.random() * 40))}-${pad(1 + Math.floor(Math.random() * 12))}-${pad(1 + Math.floor(Math.random() * 28))}`;
    const created: Patient[] = [];
    for (let i = 0; i < 27; i += 1) created.push(await registerThroughApi({ name: `${tag} Person ${i}`, dateOfBirth: born }));
    await page.goto('/patients');
    const search = page.getByLabel('Search patients');
    await search.pressSequentially(tag, { delay: 20 });
    // Results follow the typing; the address follows the search box (what Back returns to).
    await page.waitForURL((url) => url.searchParams.get('q') === tag);
    await page.getByRole('link', { name: `${tag} Person 0`, exact: true }).waitFor();
    await page.getByText('25+ patients', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Show more patients' }).click();
    await page.getByText('27 patients', { exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Show more patients' }).count(), 0);

    await search.fill(created[3]!.email);
    await page.getByText('1 patient', { exact: true }).waitFor();
    await page.getByRole('link', { name: created[3]!.name }).waitFor();

    await search.fill(born);
    await page.getByRole('link', { name: created[0]!.name }).waitFor();

    // The search is in the address (what search needs), so Back returns to the same results.
    await page.getByRole('link', { name: created[0]!.name }).click();
    await page.getByRole('heading', { name: created[0]!.name, level: 1 }).waitFor();
    await page.goBack();
    assert.equal(await page.getByLabel('Search patients').inputValue(), born);
  });
});

describe('finding a patient by MRN', () => {
  test('typing an MRN, in any case, finds that patient, with the MRN in the list', async () => {
    const patient = await registerThroughApi();
    await page.goto('/patients');
    await page.getByLabel('Search patients').fill(patient.mrn.toLowerCase());
    await page.getByText('1 patient', { exact: true }).waitFor();
    const found = page.getByRole('table', { name: 'Patients found' });
    await found.getByRole('link', { name: patient.name }).waitFor();
    await found.getByRole('cell', { name: patient.mrn, exact: true }).waitFor();
  });
});

describe('correcting a record', () => {
  test('the structured name, gender, phone and identifiers are shown and corrected', async () => {
    const patient = await registerThroughApi({
      name: 'Ann Lee',
      familyName: 'Lee',
      givenNames: ['Ann'],
      gender: 'unknown',
      phone: '0123 456 789',
      identifiers: [
        { system: 'urn:example:clinic', value: `C-${Date.now().toString(36)}` },
        { value: `N-${Date.now().toString(36)}` },
      ],
    });
    await openPatient(patient);
    await page.getByText(patient.mrn).waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Family name', exact: true }).inputValue(), 'Lee');
    assert.equal(await page.getByRole('combobox', { name: 'Gender' }).inputValue(), 'unknown');
    assert.equal(await page.getByRole('textbox', { name: 'Phone', exact: true }).inputValue(), '0123 456 789');
    assert.equal(await page.getByRole('group', { name: 'Identifier 2' }).getByRole('textbox', { name: 'Identifier value' }).inputValue(), patient.identifiers[1]!.value);

    await page.getByRole('textbox', { name: 'Given names', exact: true }).fill('Ann Marie');
    await page.getByRole('combobox', { name: 'Gender' }).selectOption({ label: 'Not recorded' });
    await page.getByRole('textbox', { name: 'Phone', exact: true }).fill('');
    await page.getByRole('button', { name: 'Remove identifier 1' }).click();
    // The focus does not fall to the top of the page: it goes to "Add identifier".
    await page.getByRole('button', { name: 'Add identifier' }).and(page.locator(':focus')).waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();

    const after = (await call('GET', `/api/patients/${patient.id}`, { token: clinician.token })).body as Record<string, unknown>;
    assert.deepEqual([after.givenNames, after.gender, after.phone, after.identifiers], [['Ann', 'Marie'], null, null, [patient.identifiers[1]]]);
  });

  test('someone else changed it meanwhile (412): their version is shown and the edit can be re-applied', async () => {
    const patient = await registerThroughApi();
    await openPatient(patient);
    await page.getByRole('textbox', { name: 'Address', exact: true }).fill('My corrected address');

    // Meanwhile a colleague corrects the name.
    const current = await call('GET', `/api/patients/${patient.id}`, { token: clinician.token });
    const theirs = { ...(current.body as Record<string, unknown>) };
    const changed = await call('PUT', `/api/patients/${patient.id}`, {
      token: clinician.token,
      headers: { 'If-Match': current.headers.get('etag')! },
      body: { name: 'Their Corrected Name', email: theirs.email, address: theirs.address, dateOfBirth: theirs.dateOfBirth },
    });
    assert.equal(changed.status, 200);

    await page.getByRole('button', { name: 'Save' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Someone else changed this record' });
    await alert.waitFor();
    await alert.getByText('Their Corrected Name').waitFor();
    await alert.getByRole('button', { name: 'Re-apply my changes' }).click();
    await page.getByText('Saved.').waitFor();

    const after = (await call('GET', `/api/patients/${patient.id}`, { token: clinician.token })).body as Record<string, unknown>;
    assert.equal(after.address, 'My corrected address');
    // The re-applied edit is the user's whole form: it includes the name as the user had it.
    assert.equal(after.name, patient.name);
  });

  test('deleting asks for a confirmation that names the patient', async () => {
    const patient = await registerThroughApi();
    await openPatient(patient);
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${patient.name}?` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
    assert.equal((await call('GET', `/api/patients/${patient.id}`, { token: clinician.token })).status, 404);
  });
});

describe('billing', () => {
  /** A patient whose billing account is open, on their page. */
  async function patientReadyToCharge(): Promise<Patient> {
    const patient = await registerThroughApi();
    await eventually(async () => {
      const response = await call('GET', `/api/patients/${patient.id}/billing`, { token: clinician.token });
      return response.status === 200 ? true : undefined;
    }, 60_000);
    await openPatient(patient);
    return patient;
  }

  /** Every charge the page sends for the patient while `work` runs, to wait for all of them before counting. */
  async function chargesSentDuring(patientId: string, work: () => Promise<void>): Promise<Request[]> {
    const charges: Request[] = [];
    const onRequest = (request: Request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === `/api/patients/${patientId}/invoices`) charges.push(request);
    };
    page.on('request', onRequest);
    try {
      await work();
      // The network settles: each charge sent has its answer, or has failed.
      await Promise.all(charges.map((request) => request.response()));
      return charges;
    } finally {
      page.off('request', onRequest);
    }
  }

  const keysOf = async (charges: Request[]) => new Set(await Promise.all(charges.map((request) => request.headerValue('idempotency-key'))));
  const invoices = () => page.getByRole('table', { name: 'Invoices' });

  test('an invoice is created once under a double submit and appears in the billing panel', async () => {
    const patient = await patientReadyToCharge();
    await page.getByLabel('Amount').fill('42.50');
    await page.getByLabel('Description').fill('Consultation');

    const charges = await chargesSentDuring(patient.id, async () => {
      await page.getByRole('button', { name: 'Record charge' }).dblclick();
      await invoices().getByText('42.50 EUR').waitFor();
    });

    // However many the console sent (it sends one while one is pending), they were one charge: one key.
    assert.ok(charges.length >= 1, 'no charge was sent');
    assert.equal((await keysOf(charges)).size, 1);
    // Counted where billing keeps them, once nothing is in flight any more.
    assert.deepEqual((await storedInvoices(patient.id)).map((invoice) => [invoice.currency, invoice.totalMinorUnits]), [['EUR', '4250']]);
    assert.equal(await invoices().getByRole('row').count(), 2);
  });

  test('a charge sent again after its answer was lost is created once (the same Idempotency-Key)', async () => {
    const patient = await patientReadyToCharge();
    await page.getByLabel('Amount').fill('17.00');
    await page.getByLabel('Description').fill('Follow-up');
    // The first charge reaches the API and billing records it; its answer never reaches the page.
    let answers = 0;
    await page.route(`**/api/patients/${patient.id}/invoices`, async (route) => {
      answers += 1;
      if (answers > 1) return route.continue();
      assert.equal((await route.fetch()).status(), 201);
      await route.abort('connectionreset');
    });

    const charges = await chargesSentDuring(patient.id, async () => {
      await page.getByRole('button', { name: 'Record charge' }).click();
      await page.getByRole('alert').filter({ hasText: 'Charge not recorded' }).waitFor();
      await page.getByRole('button', { name: 'Record charge' }).click();
      await invoices().getByText('17.00 EUR').waitFor();
    });
    await page.unroute(`**/api/patients/${patient.id}/invoices`);

    assert.equal(charges.length, 2);
    assert.equal((await keysOf(charges)).size, 1);
    assert.deepEqual((await storedInvoices(patient.id)).map((invoice) => [invoice.currency, invoice.totalMinorUnits]), [['EUR', '1700']]);
    assert.equal(await invoices().getByRole('row').count(), 2);
  });

  test('while billing is down the patient page still works and says billing is temporarily unavailable', async () => {
    const patient = await registerThroughApi();
    await billing.stop();
    try {
      await openPatient(patient);
      await page.getByText('Billing is temporarily unavailable').waitFor();
      await page.getByRole('textbox', { name: 'Address', exact: true }).fill('Changed while billing is down');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Saved.').waitFor();
    } finally {
      billing = await startBillingServer('console-patients-billing');
    }
  });
});
