/**
 * Every page of the web console (the merge view and the duplicate report too), in Debian's Chromium against the test stack, at 375 px and 1280 px wide:
 * axe-core finds no serious or critical accessibility violation, nothing forces sideways scrolling, and a
 * screenshot of each is kept with the test logs (.local/test-logs/screenshots/). Also the admin's pages at
 * work: analytics refreshing by itself, creating a staff account, a patient's audit trail newest first.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { SpawnedBillingServer } from '../../billing-server/launcher.js';
import type { ConsoleServer } from '../../scripts/local/console.js';
import { call, DEV_ADMIN, eventually, login, newPatient } from '../support/api.js';
import { closeBillingDatabase, startBillingServer, warmUpBillingView } from '../support/billing.js';
import {
  accessibilityViolations,
  animationsFinished,
  launchChromium,
  newContext,
  overflowsHorizontally,
  screenshot,
  serveConsole,
  signedInPage,
  signIn,
  WIDTHS,
} from '../support/browser.js';

let server: ConsoleServer;
let browser: Browser;
let billing: SpawnedBillingServer;
let adminToken: string;
let patient: { id: string; name: string };
/** Another record, to compare with the first in the merge view. */
let other: { id: string; name: string };

before(async () => {
  billing = await startBillingServer('console-pages-billing');
  server = await serveConsole();
  browser = await launchChromium();
  adminToken = (await login()).token;
  await warmUpBillingView(adminToken);
  // Every field filled, so that the form's optional parts (an identifier row) are checked too.
  const created = await call('POST', '/api/patients', {
    token: adminToken,
    body: newPatient({
      name: 'Ada Example',
      gender: 'female',
      phone: '+44 20 7946 0000',
      identifiers: [{ system: 'urn:example:pages', value: `pages-${Date.now().toString(36)}` }],
    }),
  });
  assert.equal(created.status, 201, created.text);
  patient = created.body as { id: string; name: string };
  const second = await call('POST', '/api/patients', { token: adminToken, body: newPatient({ name: 'Ada Exampel', gender: 'female' }) });
  assert.equal(second.status, 201, second.text);
  other = second.body as { id: string; name: string };
  await eventually(async () => {
    const response = await call('GET', `/api/patients/${patient.id}/billing`, { token: adminToken });
    return response.status === 200 ? true : undefined;
  }, 60_000);
  const invoice = await call('POST', `/api/patients/${patient.id}/invoices`, {
    token: adminToken,
    headers: { 'Idempotency-Key': `pages-${patient.id}` },
    body: { amount: '80.00', currency: 'EUR', description: 'Consultation' },
  });
  assert.equal(invoice.status, 201, invoice.text);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await closeBillingDatabase();
  await billing?.stop();
});

interface PageUnderTest {
  name: string;
  path: string;
  signedIn: boolean;
  /** What shows that the page has loaded. */
  ready: (page: Page) => Promise<void>;
}

const heading = (name: string) => (page: Page) => page.getByRole('heading', { name, level: 1 }).waitFor();

const pages = (): PageUnderTest[] => [
  { name: 'sign-in', path: '/sign-in', signedIn: false, ready: (page) => page.getByRole('button', { name: 'Sign in' }).waitFor() },
  { name: 'patients', path: '/patients', signedIn: true, ready: (page) => page.getByRole('table').first().waitFor() },
  { name: 'new-patient', path: '/patients/new', signedIn: true, ready: heading('New patient') },
  {
    name: 'patient',
    path: `/patients/${patient.id}`,
    signedIn: true,
    ready: (page) => page.getByRole('table', { name: 'Invoices' }).getByText('80.00 EUR').waitFor(),
  },
  { name: 'merge-choose', path: `/patients/${patient.id}/merge`, signedIn: true, ready: heading(`Merge ${patient.name} with another record`) },
  { name: 'merge-compare', path: `/patients/${patient.id}/merge?with=${other.id}`, signedIn: true, ready: heading(`Merge ${patient.name} and ${other.name}`) },
  { name: 'duplicates', path: '/duplicates', signedIn: true, ready: heading('Duplicates') },
  { name: 'analytics', path: '/analytics', signedIn: true, ready: heading('Analytics') },
  { name: 'users', path: '/users', signedIn: true, ready: (page) => page.getByRole('table', { name: 'Staff accounts' }).waitFor() },
  { name: 'audit', path: '/audit', signedIn: true, ready: heading('Audit') },
  { name: 'audit-trail', path: `/audit/${patient.id}`, signedIn: true, ready: (page) => page.getByRole('table', { name: 'Audit events' }).waitFor() },
];

describe('every page', () => {
  for (const width of WIDTHS) {
    test(`at ${width} px: no serious or critical axe violation, no sideways scrolling, a screenshot`, async () => {
      // Charts animate in JavaScript, which no browser API reports as running; for people who ask for reduced
      // motion (as this context does) they are drawn at once, so what is measured is the page at rest.
      const context: BrowserContext = await newContext(browser, server.url, width, { reducedMotion: 'reduce' });
      const page = await context.newPage();
      const findings: string[] = [];
      let signedIn = false;
      for (const target of pages()) {
        if (target.signedIn && !signedIn) {
          await signIn(page, DEV_ADMIN.email, DEV_ADMIN.password);
          signedIn = true;
        }
        await page.goto(target.path);
        await target.ready(page);
        await animationsFinished(page);
        for (const violation of await accessibilityViolations(page)) findings.push(`${target.name}: ${violation}`);
        if (await overflowsHorizontally(page)) findings.push(`${target.name}: wider than the ${width} px window`);
        await screenshot(page, `${target.name}-${width}`);
      }
      await context.close();
      assert.deepEqual(findings, []);
    });
  }
});

describe("an admin's pages at work", () => {
  let context: BrowserContext;
  let page: Page;
  before(async () => {
    ({ context, page } = await signedInPage(browser, server.url, DEV_ADMIN));
  });
  after(async () => {
    await context?.close();
  });

  test('analytics shows the counters and refreshes by itself while open', async () => {
    await page.goto('/analytics');
    const created = page.getByLabel(/^Patients created: \d+$/);
    await created.waitFor();
    const before = Number((await created.textContent()) ?? NaN);
    await call('POST', '/api/patients', { token: adminToken, body: newPatient() });
    // No reload, no click: the page polls, and the Kafka consumer counts the new patient.
    await eventually(async () => (Number(await created.textContent()) > before ? true : undefined), 60_000, 1_000);
    await page.getByLabel(/^Patients merged: \d+$/).waitFor();
    await page.getByLabel(/^Merges undone: \d+$/).waitFor();
    await page.getByRole('heading', { name: 'Patients created per day' }).waitFor();
  });

  test('a staff account is created with a role', async () => {
    const email = `nurse.${Date.now().toString(36)}@clinic.test`;
    await page.goto('/users');
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
    await page.getByLabel(/^Password/).fill('correct horse battery');
    await page.getByRole('combobox', { name: 'Role' }).selectOption('analyst');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText(`Created ${email} (analyst).`).waitFor();
    const signedIn = await login(email, 'correct horse battery');
    assert.ok(signedIn.token);
  });

  test("a patient's audit trail lists who read or changed it, newest first", async () => {
    const created = await call('POST', '/api/patients', { token: adminToken, body: newPatient() });
    const { id, name } = created.body as { id: string; name: string };
    await page.goto('/audit');
    await page.getByLabel('Search patients').fill(name);
    // Wait for this search's own result (the list shown before it may hold the same link for a moment).
    await page.getByText('1 patient', { exact: true }).waitFor();
    await page.getByRole('link', { name }).click();
    await page.waitForURL((url) => url.pathname === `/audit/${id}`);
    const events = page.getByRole('table', { name: 'Audit events' });
    await events.waitFor();
    const rows = await events.getByRole('row').allTextContents();
    // Header, then newest first: this page's own read of the record, …, the registration last.
    assert.match(rows.at(-1) ?? '', /testuser@test\.com.*Registered.*success/);
    assert.ok(rows.length >= 3, rows.join('\n'));
    assert.match(page.url(), new RegExp(`/audit/${id}$`));
  });
});
