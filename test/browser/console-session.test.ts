/**
 * The web console's session in a real browser (Debian's Chromium) against the test stack: keyboard-only
 * sign-in, the session surviving a reload without anything in storage, silent renewal (also by two tabs at
 * once, and in a tab reloaded mid-renewal), the session ending (back to sign-in, then back to the page),
 * sign-out, a disabled account refused, navigation by role and its menu button at 375 px.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ConsoleServer } from '../../scripts/local/console.js';
import { call, DEV_ADMIN, login, newPatient, userWithRole } from '../support/api.js';
import { accessibilityViolations, animationsFinished, launchChromium, newContext, overflowsHorizontally, serveConsole, signedInPage, signIn } from '../support/browser.js';

let server: ConsoleServer;
let browser: Browser;
let adminToken: string;

before(async () => {
  server = await serveConsole();
  browser = await launchChromium();
  adminToken = (await login()).token;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function freshPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, server.url);
  return { context, page: await context.newPage() };
}

describe('the console itself', () => {
  test('is sent with security headers: a policy without inline scripts, no framing, no sniffing, no referrer', async () => {
    const response = await fetch(`${server.url}/patients/some-page`);
    assert.equal(response.status, 200);
    const policy = response.headers.get('content-security-policy') ?? '';
    const scriptSources = /script-src ([^;]*)/.exec(policy)?.[1] ?? '';
    assert.equal(scriptSources.trim(), "'self'");
    assert.match(policy, /frame-ancestors 'none'/);
    assert.match(policy, /object-src 'none'/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
    // …and the page works under that policy: no script is refused.
    const { context, page } = await freshPage();
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
    });
    await page.goto('/sign-in');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.deepEqual(refused, []);
    await context.close();
  });
});

describe('cross-site requests through the console', () => {
  test('console-mode sign-in from another origin is refused; from the console itself it sets the cookie', async () => {
    const attempt = (origin: string) =>
      fetch(`${server.url}/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-PM-Client': 'console', Origin: origin },
        body: JSON.stringify(DEV_ADMIN),
      });
    const foreign = await attempt('http://evil.example');
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers.get('set-cookie'), null);
    const own = await attempt(server.url);
    assert.equal(own.status, 200);
    assert.match(own.headers.get('set-cookie') ?? '', /^pm_refresh=[^;]+;.*HttpOnly/);
    assert.equal('refreshToken' in ((await own.json()) as object), false);
  });
});

describe('signing in', () => {
  test('works with the keyboard alone and lands an admin on Patients', async () => {
    const { context, page } = await freshPage();
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // The email field has the focus when the page opens.
    await page.keyboard.type(DEV_ADMIN.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(DEV_ADMIN.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
    assert.match(page.url(), /\/patients$/);
    await context.close();
  });

  test('a wrong password is refused with a message and no session', async () => {
    const { context, page } = await freshPage();
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(DEV_ADMIN.email);
    await page.getByLabel(/^Password/).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Wrong email or password').waitFor();
    assert.match(page.url(), /\/sign-in$/);
    await context.close();
  });

  test('each role sees only the navigation it may use', async () => {
    const expected = { clinician: ['Patients'], analyst: ['Analytics'], admin: ['Patients', 'Duplicates', 'Analytics', 'Users', 'Audit'] } as const;
    for (const role of ['clinician', 'analyst', 'admin'] as const) {
      const user = await userWithRole(adminToken, role);
      const { context, page } = await freshPage();
      await signIn(page, user.email, user.password);
      const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
      assert.deepEqual(links, expected[role], role);
      await context.close();
    }
  });

  test('at 375 px the navigation folds behind a menu button, opened and followed with the keyboard', async () => {
    const { context, page } = await signedInPage(browser, server.url, DEV_ADMIN, 375);
    // (The page's heading takes the focus when the page opens: wait for it before looking or moving the focus.)
    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
    const menu = page.getByRole('button', { name: 'Navigation' });
    const navigation = page.getByRole('navigation', { name: 'Main' });
    await navigation.waitFor({ state: 'hidden' });
    await menu.and(page.locator('[aria-expanded="false"]')).waitFor();
    assert.equal(await overflowsHorizontally(page), false);

    await menu.focus();
    await page.keyboard.press('Enter');
    await menu.and(page.locator('[aria-expanded="true"]')).waitFor();
    await navigation.getByRole('link', { name: 'Audit' }).waitFor();
    const links = await navigation.getByRole('link').allTextContents();
    assert.deepEqual(links, ['Patients', 'Duplicates', 'Analytics', 'Users', 'Audit']);
    await animationsFinished(page);
    assert.deepEqual(await accessibilityViolations(page), []);

    // Tab to "Users" (the links follow the menu button) and follow it: the menu closes on the new page.
    for (let step = 0; step < 4; step += 1) await page.keyboard.press('Tab');
    assert.equal(await page.evaluate<string | undefined>('document.activeElement?.textContent'), 'Users');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Staff accounts', level: 1 }).waitFor();
    await navigation.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await context.close();
  });

  test('an analyst following a link to patients is told the role may not open it', async () => {
    const analyst = await userWithRole(adminToken, 'analyst');
    const { context, page } = await freshPage();
    await signIn(page, analyst.email, analyst.password);
    await page.getByRole('heading', { name: 'Analytics', level: 1 }).waitFor();
    await page.goto('/patients');
    await page.getByRole('alert').getByText('may not open this page').waitFor();
    await context.close();
  });
});

describe('the session', () => {
  test('survives a reload, with the refresh token in an HttpOnly cookie and nothing in web storage', async () => {
    const { context, page } = await freshPage();
    await signIn(page, DEV_ADMIN.email, DEV_ADMIN.password);
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();

    const cookies = await context.cookies();
    const refresh = cookies.find((cookie) => cookie.name === 'pm_refresh');
    assert.ok(refresh, 'the refresh cookie is set');
    assert.equal(refresh.httpOnly, true);
    assert.equal(refresh.sameSite, 'Strict');
    assert.equal(refresh.path, '/auth');
    const visibleToScripts = await page.evaluate<{ cookie: string; local: number; session: number }>(
      '({ cookie: document.cookie, local: localStorage.length, session: sessionStorage.length })',
    );
    assert.deepEqual(visibleToScripts, { cookie: '', local: 0, session: 0 });
    await context.close();
  });

  test('is renewed silently before the access token expires', async () => {
    const { context, page } = await freshPage();
    await page.clock.install();
    await signIn(page, DEV_ADMIN.email, DEV_ADMIN.password);
    const renewal = page.waitForResponse((response) => response.url().endsWith('/auth/refresh'));
    // Access tokens live 15 minutes; the console renews them a minute early.
    await page.clock.runFor('14:30');
    assert.equal((await renewal).status(), 200);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByLabel('Search patients').fill('renewed');
    await page.getByText('No patients match.').waitFor();
    await context.close();
  });

  test('two tabs renewing it at the same instant both stay signed in', async () => {
    const { context, page: first } = await freshPage();
    const second = await context.newPage();
    await first.clock.install();
    await second.clock.install();
    await signIn(first, DEV_ADMIN.email, DEV_ADMIN.password);
    await second.goto('/patients');
    await second.getByRole('button', { name: 'Sign out' }).waitFor();

    // Both tabs' renewals fall due together (as for tabs opened together)…
    await Promise.all([first.clock.runFor('14:30'), second.clock.runFor('14:30')]);
    for (const [index, page] of [first, second].entries()) {
      await page.getByLabel('Search patients').fill(`two tabs ${index}`);
      await page.getByText('No patients match.').waitFor();
    }
    // …and both restore the session at once after a reload.
    await Promise.all([first.reload(), second.reload()]);
    for (const page of [first, second]) {
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await page.getByLabel('Search patients').fill('two tabs');
      await page.getByText('No patients match.').waitFor();
    }
    // The sign-in was not revoked as a stolen token: a third tab restores it too.
    const third = await context.newPage();
    await third.goto('/patients');
    await third.getByRole('button', { name: 'Sign out' }).waitFor();
    await context.close();
  });

  test('a tab reloaded in the middle of a renewal stays signed in', async () => {
    const { context, page } = await freshPage();
    await page.clock.install();
    await signIn(page, DEV_ADMIN.email, DEV_ADMIN.password);
    const renewalSent = page.waitForRequest((request) => request.url().endsWith('/auth/refresh'));
    await page.clock.runFor('14:30');
    await renewalSent;
    // The renewal is on its way (the API retires the old cookie); the page goes away before its answer is read.
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
    await context.close();
  });

  test('when it really ends, the user signs in again and comes back to the page they were on', async () => {
    const created = await call('POST', '/api/patients', { token: adminToken, body: newPatient() });
    const patientId = (created.body as { id: string }).id;
    const { context, page } = await freshPage();
    await page.clock.install();
    await signIn(page, DEV_ADMIN.email, DEV_ADMIN.password);
    await page.goto(`/patients/${patientId}`);
    await page.getByLabel('Address').waitFor();

    // The refresh cookie is gone (as after a revocation): the renewal before expiry is refused.
    await context.clearCookies();
    await page.clock.runFor('15:00');
    await page.getByText('Your session has ended').waitFor();
    assert.match(page.url(), /\/sign-in$/);

    await signIn(page, DEV_ADMIN.email, DEV_ADMIN.password);
    await page.getByLabel('Address').waitFor();
    assert.match(page.url(), new RegExp(`/patients/${patientId}$`));
    await context.close();
  });

  test('sign-out ends it: a reload stays signed out', async () => {
    const { context, page } = await freshPage();
    await signIn(page, DEV_ADMIN.email, DEV_ADMIN.password);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal((await context.cookies()).some((cookie) => cookie.name === 'pm_refresh'), false);
    await context.close();
  });
});

describe('a disabled account', () => {
  test('is disabled by an admin on the Users page and can no longer sign in', async () => {
    const clinician = await userWithRole(adminToken, 'clinician');
    const { context: adminContext, page: admin } = await freshPage();
    await signIn(admin, DEV_ADMIN.email, DEV_ADMIN.password);
    await admin.getByRole('link', { name: 'Users' }).click();
    await admin.getByRole('heading', { name: 'Staff accounts', level: 1 }).waitFor();
    // The list is sorted by email and may span pages: show more until the account's row is there, each time
    // waiting for the next page's rows to arrive.
    const table = admin.getByRole('table', { name: 'Staff accounts' });
    const disable = admin.getByRole('button', { name: `Disable ${clinician.email}` });
    const showMore = admin.getByRole('button', { name: 'Show more accounts' });
    await table.waitFor();
    for (;;) {
      await disable.or(showMore).first().waitFor();
      if ((await disable.count()) > 0) break;
      const rows = await table.getByRole('row').count();
      await showMore.click();
      await table.getByRole('row').nth(rows).waitFor();
    }
    await disable.click();
    await admin.getByRole('button', { name: `Enable ${clinician.email}` }).waitFor();
    await adminContext.close();

    const { context, page } = await freshPage();
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(clinician.email);
    await page.getByLabel(/^Password/).fill(clinician.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Wrong email or password, or the account is disabled').waitFor();
    assert.match(page.url(), /\/sign-in$/);
    await context.close();
  });
});
