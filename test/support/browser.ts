/**
 * The browser side of the console tests: the built console (web/dist, built by `npm test`) served in front of
 * the test stack's API, and Debian's Chromium driven by Playwright (no browser download is reachable here).
 * Pages are found the way people find things: by role and label.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { serveBuiltConsole, type ConsoleServer } from '../../scripts/local/console.js';
import { API_URL, rememberTokensOf } from './api.js';
import { rememberSent, rememberSentFields, rememberSetCookie } from './sent-values.js';

export const CHROMIUM = process.env.CHROME_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const WIDTHS = [375, 1280] as const;

/** The console in front of the API that scripts/test.ts started, on a port of its own (TEST_PORT_OFFSET apart). */
export function serveConsole(): Promise<ConsoleServer> {
  return serveBuiltConsole(API_URL, 4410 + Number(process.env.TEST_PORT_OFFSET ?? 0));
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

export async function newContext(
  browser: Browser,
  baseURL: string,
  width = 1280,
  options: { reducedMotion?: 'reduce' | 'no-preference' } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: { width, height: 900 }, locale: 'en-GB', timezoneId: 'UTC', ...options });
  context.setDefaultTimeout(20_000);
  rememberWhatThePagesSend(context);
  return context;
}

/** What the console sends and receives (typed patient data, passwords, tokens, the refresh cookie), for the log scan. */
function rememberWhatThePagesSend(context: BrowserContext): void {
  context.on('request', (request) => {
    rememberSent('access token', /^Bearer\s+(.+)$/i.exec(request.headers().authorization ?? '')?.[1]);
    try {
      rememberSentFields(request.postDataJSON());
    } catch {
      // not a JSON body
    }
  });
  context.on('response', (response) => {
    if (!/\/auth\//.test(new URL(response.url()).pathname)) return;
    // A page closed meanwhile has no body to give: that sign-in's token was never used either.
    void response.allHeaders().then((headers) => rememberSetCookie(headers['set-cookie'])).catch(() => undefined);
    void response.json().then(rememberTokensOf).catch(() => undefined);
  });
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  if (!/\/sign-in/.test(page.url())) await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** A fresh context on the console (`consoleUrl`) with one page, signed in as `user`. */
export async function signedInPage(browser: Browser, consoleUrl: string, user: { email: string; password: string }, width?: number): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, consoleUrl, width);
  const page = await context.newPage();
  await signIn(page, user.email, user.password);
  return { context, page };
}

/** Serious or critical axe-core findings (WCAG 2.1 A and AA) on the page as it is now. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

/**
 * Resolves once no CSS transition or animation on the page is running or about to start (Mantine's entrance
 * transitions): what the page shows is what it will go on showing.
 */
export async function animationsFinished(page: Page): Promise<void> {
  // A function, not a string (the console's CSP forbids eval); its DOM typed here, this project having no DOM types.
  type Animations = { document: { getAnimations(): { pending: boolean; playState: string }[] } };
  await page.waitForFunction(() =>
    (globalThis as unknown as Animations).document.getAnimations().every((animation) => !animation.pending && animation.playState !== 'running'),
  );
}

/** Kept with the test logs: .local/test-logs/screenshots/ after `npm test`. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const folder = path.join(process.env.TEST_STACK_DIR ?? '.local', 'logs', 'screenshots');
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** True when the page is wider than the window (something forces sideways scrolling). */
export function overflowsHorizontally(page: Page): Promise<boolean> {
  // A string: this project's TypeScript has no DOM types.
  return page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth + 1');
}
