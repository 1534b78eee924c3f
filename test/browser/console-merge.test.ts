/**
 * Merging patients in the web console (issue 21), in Debian's Chromium against the test stack: an admin merges two
 * records of one person from a patient's page (the other chosen among its possible duplicates, values chosen side
 * by side, a preview showing which record each value came from); the merged record then says where it went and
 * offers nothing to change; the merge is undone, and an undo refused (a record changed since) is explained; a
 * record changed meanwhile (412) is reloaded before merging; a clinician is offered none of it. The duplicate
 * report shows a pair side by side with why, "Not a duplicate" takes it off, "Merge…" opens the pair's merge view.
 * axe finds nothing serious on each new view.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { ConsoleServer } from '../../scripts/local/console.js';
import { call, eventually, login, newPatient, unusualBirthDate, uniqueLetters, userWithRole } from '../support/api.js';
import { accessibilityViolations, animationsFinished, launchChromium, serveConsole, signedInPage } from '../support/browser.js';

let server: ConsoleServer;
let browser: Browser;
let admin: { email: string; password: string; token: string };
let clinician: { email: string; password: string; token: string };
let page: Page;

before(async () => {
  server = await serveConsole();
  browser = await launchChromium();
  const devAdmin = (await login()).token;
  admin = await userWithRole(devAdmin, 'admin');
  clinician = await userWithRole(devAdmin, 'clinician');
  ({ page } = await signedInPage(browser, server.url, admin));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

type Patient = {
  id: string;
  mrn: string;
  name: string;
  email: string;
  phone: string | null;
  dateOfBirth: string;
  version: number;
  active: boolean;
  mergedInto: string | null;
  replaces: string[];
  formerMrns: string[];
};

async function register(fields: Record<string, unknown>): Promise<Patient> {
  const response = await call('POST', '/api/patients', { token: admin.token, body: newPatient(fields) });
  assert.equal(response.status, 201, response.text);
  return response.body as Patient;
}

/**
 * Two records of one person, the way duplicates happen: the same given name, birth date and address, the family
 * name mistyped (a letter left out), another email; the second has a phone, the first has none.
 */
async function samePersonTwice(): Promise<[Patient, Patient]> {
  const family = `Quennell${uniqueLetters()}`;
  const typo = family.slice(0, 3) + family.slice(4);
  const person = { givenNames: ['Philippa'], dateOfBirth: unusualBirthDate(), address: `${10 + Math.floor(Math.random() * 900)} ${uniqueLetters()} Road, Leeds` };
  const first = await register({ ...person, familyName: family, name: `Philippa ${family}` });
  const second = await register({
    ...person,
    familyName: typo,
    name: `Philippa ${typo}`,
    phone: `+44 20 ${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
  });
  return [first, second];
}

async function read(id: string, token = admin.token): Promise<Patient> {
  const response = await call('GET', `/api/patients/${id}`, { token });
  assert.equal(response.status, 200, response.text);
  return response.body as Patient;
}

async function mergeThroughApi(source: Patient, target: Patient): Promise<string> {
  const response = await call('POST', '/api/patients/merges', { token: admin.token, body: { sourceId: source.id, targetId: target.id } });
  assert.equal(response.status, 200, response.text);
  return (response.body as { mergeId: string }).mergeId;
}

/** A correction through the API, as another user would make it meanwhile. */
async function changeThroughApi(patient: Patient, changes: Record<string, unknown>): Promise<void> {
  const current = await read(patient.id);
  const { name, email, address, dateOfBirth } = current as unknown as Record<string, unknown>;
  const response = await call('PUT', `/api/patients/${patient.id}`, {
    token: admin.token,
    headers: { 'If-Match': `"v${current.version}"` },
    body: { name, email, address, dateOfBirth, ...changes },
  });
  assert.equal(response.status, 200, response.text);
}

async function openPatient(patient: Pick<Patient, 'id' | 'name'>, on = page) {
  await on.goto(`/patients/${patient.id}`);
  await on.getByRole('heading', { name: patient.name, level: 1, exact: true }).waitFor();
}

const heading = (name: string) => page.getByRole('heading', { name, level: 1, exact: true });
const resultRow = (label: string) => page.getByRole('table', { name: 'Result of the merge' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: label, exact: true }) });

async function openComparison(target: Patient, other: Patient) {
  await page.goto(`/patients/${target.id}/merge?with=${other.id}`);
  await heading(`Merge ${target.name} and ${other.name}`).waitFor();
}

describe('merging from a patient page', () => {
  test('an admin merges two records with a preview that shows the values taken from each', async () => {
    const [kept, merged] = await samePersonTwice();
    await openPatient(kept);

    await page.getByRole('link', { name: 'Merge…' }).click();
    await heading(`Merge ${kept.name} with another record`).waitFor();
    const candidate = page.getByRole('region', { name: 'Possible duplicates' }).getByRole('listitem').filter({ hasText: merged.mrn });
    await candidate.getByText('family name: typo', { exact: false }).waitFor();
    await animationsFinished(page);
    assert.deepEqual(await accessibilityViolations(page), []);
    await candidate.getByRole('link', { name: `Compare with ${merged.name}` }).click();

    await heading(`Merge ${kept.name} and ${merged.name}`).waitFor();
    assert.equal(await page.getByRole('radiogroup', { name: 'Record kept' }).getByRole('radio', { name: `${kept.name} (${kept.mrn})` }).isChecked(), true);
    await page.getByRole('radiogroup', { name: 'Email' }).getByRole('radio', { name: merged.email }).check();
    await page.getByRole('radiogroup', { name: 'Phone' }).getByRole('radio', { name: merged.phone! }).check();
    await animationsFinished(page);
    assert.deepEqual(await accessibilityViolations(page), []);

    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('table', { name: 'Result of the merge' }).waitFor();
    // The preview heading takes the focus, so that keyboard and screen-reader users find what appeared.
    await page.getByRole('heading', { name: 'Preview', level: 2 }).and(page.locator(':focus')).waitFor();
    assert.deepEqual(await resultRow('Email').getByRole('cell').allTextContents(), [merged.email, 'Merged record']);
    assert.deepEqual(await resultRow('Phone').getByRole('cell').allTextContents(), [merged.phone, 'Merged record']);
    assert.deepEqual(await resultRow('Name').getByRole('cell').allTextContents(), [kept.name, 'Kept record']);
    assert.deepEqual(await resultRow('Date of birth').getByRole('cell').allTextContents(), [kept.dateOfBirth, 'Both records (the same)']);
    assert.match((await resultRow('Former MRNs').textContent()) ?? '', new RegExp(merged.mrn));
    await animationsFinished(page);
    assert.deepEqual(await accessibilityViolations(page), []);
    // A preview changes nothing.
    assert.equal((await read(merged.id)).active, true);

    await page.getByRole('button', { name: 'Merge', exact: true }).click();
    await heading(kept.name).waitFor();
    assert.equal(new URL(page.url()).pathname, `/patients/${kept.id}`);
    await page.getByText(`Former MRNs: ${merged.mrn}`).waitFor();
    await page.getByText('Merged into this record:').getByRole('link', { name: `${merged.name} (${merged.mrn})` }).waitFor();
    assert.equal(await page.getByRole('textbox', { name: 'Email', exact: true }).inputValue(), merged.email);
    const [target, source] = [await read(kept.id), await read(merged.id)];
    assert.deepEqual([target.email, target.phone, target.name, target.replaces], [merged.email, merged.phone, kept.name, [merged.id]]);
    assert.deepEqual([source.active, source.mergedInto], [false, kept.id]);
  });

  test('a merged record says where it went, offers no edit or delete, and the merge is undone', async () => {
    const [kept, merged] = await samePersonTwice();
    await mergeThroughApi(merged, kept);

    await openPatient(merged);
    const where = page.getByRole('note').getByRole('link', { name: `${kept.name} (${kept.mrn})` });
    await where.waitFor();
    await page.getByRole('note').getByText(`Merged into ${kept.name} (${kept.mrn}).`, { exact: false }).waitFor();
    for (const name of ['Save', 'Delete']) assert.equal(await page.getByRole('button', { name }).count(), 0, name);
    assert.equal(await page.getByRole('link', { name: 'Merge…' }).count(), 0);
    assert.equal(await page.getByRole('textbox').count(), 0, 'nothing to type into');
    await animationsFinished(page);
    assert.deepEqual(await accessibilityViolations(page), []);

    await where.click();
    await heading(kept.name).waitFor();
    await page.getByText(`Former MRNs: ${merged.mrn}`).waitFor();

    await openPatient(merged);
    await page.getByRole('table', { name: 'Merges' }).getByRole('button', { name: 'Undo merge' }).click();
    const dialog = page.getByRole('dialog', { name: 'Undo this merge?' });
    await dialog.waitFor();
    await animationsFinished(page);
    assert.deepEqual(await accessibilityViolations(page), []);
    await dialog.getByRole('button', { name: 'Undo merge' }).click();

    // The record is live again: its form is back, and nothing says it was merged.
    await page.getByRole('button', { name: 'Save' }).waitFor();
    assert.equal(await page.getByText('Merged into another record').count(), 0);
    const [source, target] = [await read(merged.id), await read(kept.id)];
    assert.deepEqual([source.active, source.mergedInto], [true, null]);
    assert.deepEqual([target.replaces, target.formerMrns], [[], []]);
  });

  test('an undo refused because a record changed since the merge says why', async () => {
    const [kept, merged] = await samePersonTwice();
    await mergeThroughApi(merged, kept);
    await openPatient(merged);
    const undo = page.getByRole('table', { name: 'Merges' }).getByRole('button', { name: 'Undo merge' });
    await undo.waitFor();

    await changeThroughApi(kept, { address: '99 Changed Street, York' });
    await undo.click();
    await page.getByRole('dialog', { name: 'Undo this merge?' }).getByRole('button', { name: 'Undo merge' }).click();

    const refusal = page.getByRole('alert').filter({ hasText: 'Not undone' });
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? '', /changed after the merge/);
    // Read again, the merge says it can no longer be undone, and the record still says where it went.
    await page.getByRole('table', { name: 'Merges' }).getByText('Not possible: a record changed since').waitFor();
    assert.equal((await read(merged.id)).mergedInto, kept.id);
  });

  test('a record changed meanwhile is reloaded, and the merge previewed again before it is done', async () => {
    const [kept, merged] = await samePersonTwice();
    await openComparison(kept, merged);
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('table', { name: 'Result of the merge' }).waitFor();

    await changeThroughApi(merged, { address: '12 Moved Lane, Hull' });
    await page.getByRole('button', { name: 'Merge', exact: true }).click();

    await page.getByRole('alert').filter({ hasText: 'A record changed meanwhile' }).waitFor();
    assert.equal(await page.getByRole('table', { name: 'Result of the merge' }).count(), 0, 'the out-of-date preview is gone');
    assert.equal((await read(merged.id)).active, true, 'nothing was merged');
    // The reloaded records are compared: the new address is there to choose.
    await page.getByRole('radiogroup', { name: 'Address' }).getByRole('radio', { name: '12 Moved Lane, Hull' }).check();
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('table', { name: 'Result of the merge' }).waitFor();
    assert.deepEqual(await resultRow('Address').getByRole('cell').allTextContents(), ['12 Moved Lane, Hull', 'Merged record']);
    await page.getByRole('button', { name: 'Merge', exact: true }).click();
    await heading(kept.name).waitFor();
    assert.equal((await read(kept.id)).formerMrns.includes(merged.mrn), true);
  });

  test('a clinician is offered no merging: no Merge button, no Duplicates page', async () => {
    const [first] = await samePersonTwice();
    const { context: clinicianContext, page: clinicianPage } = await signedInPage(browser, server.url, clinician);

    await openPatient(first, clinicianPage);
    await clinicianPage.getByRole('button', { name: 'Save' }).waitFor();
    assert.equal(await clinicianPage.getByRole('link', { name: 'Merge…' }).count(), 0);
    const links = await clinicianPage.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    assert.deepEqual(links, ['Patients']);
    await clinicianPage.goto(`/patients/${first.id}/merge`);
    await clinicianPage.getByRole('alert').filter({ hasText: 'Not available for your role' }).waitFor();
    await clinicianContext.close();
  });
});

type Pair = { pairId: string; patients: [{ id: string }, { id: string }] };

/** Waits until the duplicate report lists the pair (the relay scans new records asynchronously). */
async function listedInReport(ids: readonly string[]): Promise<Pair> {
  return eventually(async () => {
    const response = await call('GET', '/api/patients/duplicates?limit=100', { token: admin.token });
    assert.equal(response.status, 200, response.text);
    return (response.body as { pairs: Pair[] }).pairs.find((pair) => pair.patients.every((patient) => ids.includes(patient.id)));
  }, 60_000, 500);
}

describe('the duplicate report', () => {
  const pairShown = (first: Patient, second: Patient) => page.getByRole('article').filter({ hasText: first.mrn }).filter({ hasText: second.mrn });

  test('shows a pair side by side with why, and "Not a duplicate" takes it off for good', async () => {
    const [first, second] = await samePersonTwice();
    await listedInReport([first.id, second.id]);

    await page.goto('/duplicates');
    await heading('Duplicates').waitFor();
    const pair = pairShown(first, second);
    await pair.waitFor();
    const text = (await pair.textContent()) ?? '';
    for (const expected of [first.name, second.name, 'family name: typo', 'birth date: same', second.phone!]) {
      assert.ok(text.includes(expected), `"${expected}" is not in "${text}"`);
    }
    assert.match(text, /(Certain|Probable) match/);
    await animationsFinished(page);
    assert.deepEqual(await accessibilityViolations(page), []);

    await pair.getByRole('button', { name: 'Not a duplicate' }).click();
    await page.getByRole('status').getByText('marked as not a duplicate', { exact: false }).waitFor();
    assert.equal(await pair.count(), 0);
    const response = await call('GET', '/api/patients/duplicates?limit=100', { token: admin.token });
    const ids = [first.id, second.id];
    assert.equal((response.body as { pairs: Pair[] }).pairs.some((listed) => listed.patients.every((patient) => ids.includes(patient.id))), false);
    const readAgain = page.waitForResponse((answer) => new URL(answer.url()).pathname === '/api/patients/duplicates');
    await page.reload();
    await readAgain;
    await page.getByRole('status').filter({ hasText: 'Loading the report…' }).waitFor({ state: 'hidden' });
    assert.equal(await pair.count(), 0);
  });

  test('"Merge…" opens the merge view of the pair', async () => {
    const [first, second] = await samePersonTwice();
    const listed = await listedInReport([first.id, second.id]);
    const [left, right] = listed.patients[0].id === first.id ? [first, second] : [second, first];

    await page.goto('/duplicates');
    await pairShown(first, second).getByRole('link', { name: 'Merge…' }).click();
    await heading(`Merge ${left.name} and ${right.name}`).waitFor();
  });
});
