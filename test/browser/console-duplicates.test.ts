/**
 * "Possible duplicates" on the new-patient form (issue 21, on registration), in Debian's Chromium against the test
 * stack: a patient registered through the API shows up, with why, when a near-duplicate is typed (same birth date,
 * a typo in the family name); it can be opened instead; saving a new patient while it is shown still works; the
 * focus stays where the user types; nothing is shown for someone new; and axe finds nothing serious.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page, Request } from 'playwright-core';
import type { ConsoleServer } from '../../scripts/local/console.js';
import { call, login, newPatient, unusualBirthDate, uniqueLetters, userWithRole } from '../support/api.js';
import { accessibilityViolations, launchChromium, serveConsole, signedInPage } from '../support/browser.js';

let server: ConsoleServer;
let browser: Browser;
let clinician: { email: string; password: string; token: string };
let page: Page;

before(async () => {
  server = await serveConsole();
  browser = await launchChromium();
  clinician = await userWithRole((await login()).token, 'clinician');
  ({ page } = await signedInPage(browser, server.url, clinician));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

type Patient = { id: string; mrn: string; name: string; dateOfBirth: string };

async function registerThroughApi(fields: { givenNames: string[]; familyName: string; dateOfBirth: string }): Promise<Patient> {
  const body = newPatient({ ...fields, name: [...fields.givenNames, fields.familyName].join(' ') });
  const response = await call('POST', '/api/patients', { token: clinician.token, body });
  assert.equal(response.status, 201, response.text);
  return response.body as Patient;
}

/** The same person typed again: the same given name and birth date, one letter missing from the family name. */
function typoOf(familyName: string): string {
  return familyName.slice(0, 3) + familyName.slice(4);
}

const matchesAnswered = () => page.waitForResponse((response) => new URL(response.url()).pathname === '/api/patients/matches');

async function typeNames(fields: { givenNames: string; familyName: string; dateOfBirth: string }) {
  await page.getByRole('textbox', { name: 'Given names', exact: true }).fill(fields.givenNames);
  await page.getByRole('textbox', { name: 'Family name', exact: true }).fill(fields.familyName);
  await page.getByRole('textbox', { name: 'Date of birth', exact: true }).fill(fields.dateOfBirth);
}

const duplicates = () => page.getByRole('region', { name: 'Possible duplicates' });
const candidate = (patient: Patient) => duplicates().getByRole('listitem').filter({ hasText: patient.mrn });

async function openNewPatientForm() {
  await page.goto('/patients/new');
  await page.getByRole('heading', { name: 'New patient', level: 1 }).waitFor();
}

describe('possible duplicates on registration', () => {
  test('a near-duplicate shows the registered patient with why, without taking the focus, and opens it', async () => {
    const registered = await registerThroughApi({ givenNames: ['Harriet'], familyName: `Pemberton${uniqueLetters()}`, dateOfBirth: unusualBirthDate() });
    const familyName = registered.name.split(' ').at(-1)!;
    await openNewPatientForm();
    await typeNames({ givenNames: 'Harriet', familyName: typoOf(familyName), dateOfBirth: registered.dateOfBirth });

    const shown = candidate(registered);
    await shown.waitFor();
    const text = (await shown.textContent()) ?? '';
    for (const expected of [registered.name, registered.mrn, registered.dateOfBirth, 'family name: typo', 'given name: same', 'birth date: same']) {
      assert.ok(text.includes(expected), `"${expected}" is not in "${text}"`);
    }
    assert.match(text, /(Certain|Probable|Possible) match/);
    // Announced politely where it appears; the user goes on typing in the field they were in.
    assert.equal(await page.locator('[aria-live="polite"]').filter({ has: duplicates() }).count(), 1);
    assert.equal(await page.getByRole('textbox', { name: 'Date of birth', exact: true }).and(page.locator(':focus')).count(), 1);
    assert.deepEqual(await accessibilityViolations(page), []);

    await shown.getByRole('link', { name: `Open ${registered.name}` }).click();
    await page.getByRole('heading', { name: registered.name, level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/patients/${registered.id}`);
  });

  test('a new patient is saved while a possible duplicate is shown', async () => {
    const registered = await registerThroughApi({ givenNames: ['Oswin'], familyName: `Fairweather${uniqueLetters()}`, dateOfBirth: unusualBirthDate() });
    const familyName = typoOf(registered.name.split(' ').at(-1)!);
    const email = `oswin.${uniqueLetters()}@example.org`;
    await openNewPatientForm();
    await typeNames({ givenNames: 'Oswin', familyName, dateOfBirth: registered.dateOfBirth });
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
    await page.getByRole('textbox', { name: 'Address', exact: true }).fill('2 Other Street');
    await candidate(registered).waitFor();

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: `Oswin ${familyName}`, level: 1 }).waitFor();
    const id = new URL(page.url()).pathname.split('/').at(-1)!;
    assert.notEqual(id, registered.id);
    const stored = (await call('GET', `/api/patients/${id}`, { token: clinician.token })).body as Record<string, unknown>;
    assert.deepEqual([stored.familyName, stored.email, stored.dateOfBirth], [familyName, email, registered.dateOfBirth]);
  });

  test('nothing is shown for someone with no likely duplicate', async () => {
    await openNewPatientForm();
    const answered = matchesAnswered();
    await typeNames({ givenNames: 'Quillon', familyName: `Zanzibar${uniqueLetters()}`, dateOfBirth: unusualBirthDate() });
    const response = await answered;
    assert.equal(response.status(), 200);
    assert.deepEqual(((await response.json()) as { matches: unknown[] }).matches, []);
    assert.equal(await duplicates().count(), 0);
  });

  test('nothing is asked until a birth date is complete', async () => {
    await openNewPatientForm();
    let asked = 0;
    const countMatchRequests = (request: Request) => {
      if (new URL(request.url()).pathname === '/api/patients/matches') asked += 1;
    };
    page.on('request', countMatchRequests);
    await typeNames({ givenNames: 'Harriet', familyName: 'Pemberton', dateOfBirth: '1985-06-1' });
    // Well past the pause after typing that would have sent it.
    await page.waitForTimeout(1000);
    page.off('request', countMatchRequests);
    assert.equal(asked, 0);
  });
});
