/**
 * The web console's figures (issue 9): the JavaScript the sign-in page makes the browser download (gzip, as a
 * CDN sends it; goal ≤ 150 KB thanks to route-level code splitting) and Lighthouse scores (performance,
 * accessibility, best practices; goals ≥ 90 / 95 / 95) for the sign-in page, the patient list and a patient's
 * page. The production build is served as in the browser tests (vite preview: same origin as the API, the
 * console's security headers, compressed), in Debian's Chromium (CHROME_PATH). Clinic staff use the console on
 * desktop computers: the scores are Lighthouse's desktop configuration; the performance score of its default
 * mobile configuration (simulated slow 4G, 4× CPU slowdown) is reported beside them.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import lighthouse, { desktopConfig } from 'lighthouse';
import { chromium, type BrowserContext } from 'playwright-core';
import { buildConsole, serveBuiltConsole } from '../scripts/local/console.js';
import { markdownTable } from './report.js';

export const CHROMIUM = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const DEV_ADMIN = { email: 'testuser@test.com', password: 'password123' };
export const consoleGoals = { signInJsKb: 150, performance: 90, accessibility: 95, bestPractices: 95 };

export interface ConsoleResults {
  signInJs: { files: number; rawKb: number; gzipKb: number };
  lighthouse: {
    page: string;
    performance: number;
    accessibility: number;
    bestPractices: number;
    mobilePerformance: number;
    /** What the desktop performance score is made of: milliseconds, and the layout shift score. */
    metrics: { fcpMs: number; lcpMs: number; tbtMs: number; cls: number };
  }[];
}

async function signInJavaScript(context: BrowserContext, url: string): Promise<ConsoleResults['signInJs']> {
  const page = await context.newPage();
  const scripts: Promise<Buffer>[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script') scripts.push(response.body());
  });
  await page.goto(`${url}/sign-in`, { waitUntil: 'networkidle' });
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  const bodies = await Promise.all(scripts);
  await page.close();
  const raw = bodies.reduce((sum, body) => sum + body.length, 0);
  const gzip = bodies.reduce((sum, body) => sum + gzipSync(body, { level: 9 }).length, 0);
  return { files: bodies.length, rawKb: raw / 1024, gzipKb: gzip / 1024 };
}

/** Lighthouse's desktop and mobile runs of one page; the whole desktop report is kept in `reportDir` (the bench logs). */
async function lighthouseScores(port: number, url: string, label: string, reportDir: string): Promise<ConsoleResults['lighthouse'][number]> {
  // Keep the cookies of the sign-in (the console restores its session from the refresh cookie).
  const flags = { port, disableStorageReset: true, logLevel: 'error' as const };
  const desktop = await lighthouse(url, { ...flags, onlyCategories: ['performance', 'accessibility', 'best-practices'] }, desktopConfig);
  const mobile = await lighthouse(url, { ...flags, onlyCategories: ['performance'] });
  const score = (result: typeof desktop, id: string) => Math.round((result?.lhr.categories[id]?.score ?? NaN) * 100);
  const metric = (id: string) => desktop?.lhr.audits[id]?.numericValue ?? NaN;
  await mkdir(reportDir, { recursive: true });
  await writeFile(path.join(reportDir, `${label.replaceAll(' ', '-')}.json`), JSON.stringify(desktop?.lhr ?? null, null, 1));
  return {
    metrics: { fcpMs: metric('first-contentful-paint'), lcpMs: metric('largest-contentful-paint'), tbtMs: metric('total-blocking-time'), cls: metric('cumulative-layout-shift') },
    page: label,
    performance: score(desktop, 'performance'),
    accessibility: score(desktop, 'accessibility'),
    bestPractices: score(desktop, 'best-practices'),
    mobilePerformance: score(mobile, 'performance'),
  };
}

export async function benchmarkConsole(apiUrl: string, consolePort: number, reportDir: string, log: (line: string) => void): Promise<ConsoleResults> {
  log('building the console …');
  await buildConsole();
  const server = await serveBuiltConsole(apiUrl, consolePort);
  const profile = await mkdtemp(path.join(os.tmpdir(), 'pm-bench-chromium-'));
  const debuggingPort = consolePort + 1;
  // The persistent context is the browser's default one, which Lighthouse's tabs share (cookies included).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--remote-debugging-port=${debuggingPort}`],
  });
  try {
    const signInJs = await signInJavaScript(context, server.url);
    log(`sign-in page: ${signInJs.files} scripts, ${signInJs.gzipKb.toFixed(1)} KB gzip`);

    const results = [await lighthouseScores(debuggingPort, `${server.url}/sign-in`, 'sign-in', reportDir)];
    const page = await context.newPage();
    await page.goto(`${server.url}/sign-in`);
    await page.getByLabel('Email').fill(DEV_ADMIN.email);
    await page.getByLabel(/^Password/).fill(DEV_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'New patient' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Bench Patient');
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(`bench.${Date.now().toString(36)}@example.org`);
    await page.getByRole('textbox', { name: 'Address', exact: true }).fill('1 Bench Street');
    await page.getByRole('textbox', { name: 'Date of birth', exact: true }).fill('1980-02-03');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Bench Patient', level: 1 }).waitFor();
    const patientUrl = page.url();
    // Closing the tab leaves the refresh cookie; each Lighthouse load restores the session from it.
    await page.close();
    results.push(await lighthouseScores(debuggingPort, `${server.url}/patients`, 'patient list', reportDir));
    results.push(await lighthouseScores(debuggingPort, patientUrl, 'patient page', reportDir));
    for (const r of results) {
      const { fcpMs, lcpMs, tbtMs, cls } = r.metrics;
      log(
        `${r.page}: performance ${r.performance} (mobile ${r.mobilePerformance}), accessibility ${r.accessibility}, best practices ${r.bestPractices}; ` +
          `FCP ${fcpMs.toFixed(0)} ms, LCP ${lcpMs.toFixed(0)} ms, TBT ${tbtMs.toFixed(0)} ms, CLS ${cls.toFixed(3)}`,
      );
    }
    return { signInJs, lighthouse: results };
  } finally {
    await context.close();
    await server.stop();
    await rm(profile, { recursive: true, force: true });
  }
}

export function consoleSection(results: ConsoleResults): string {
  const goals = consoleGoals;
  return [
    '## Web console (issue 9)',
    '',
    `Production build served compressed by \`vite preview\` in front of the API (one origin), loaded in Debian's Chromium. ` +
      `JavaScript of the sign-in page: every script it loads, gzip-compressed (level 9) as a CDN sends it; goal ≤ ${goals.signInJsKb} KB. ` +
      `Lighthouse 12, desktop configuration (clinic staff use desktop computers), signed in as the dev admin for the patient pages; ` +
      `goals: performance ≥ ${goals.performance}, accessibility ≥ ${goals.accessibility}, best practices ≥ ${goals.bestPractices}. ` +
      `The last column is the performance score of Lighthouse's default mobile configuration (simulated slow 4G, 4× CPU slowdown ` +
      `on top of this shared machine's own speed). The desktop metrics behind the score: first and largest contentful paint, ` +
      `total blocking time (ms) and cumulative layout shift; the whole reports are kept in .local/bench-logs/lighthouse/.`,
    '',
    markdownTable(['sign-in page JavaScript', 'scripts', 'KB raw', 'KB gzip'], [['all scripts loaded', results.signInJs.files, results.signInJs.rawKb, results.signInJs.gzipKb]]),
    '',
    markdownTable(
      ['page (Lighthouse)', 'performance', 'accessibility', 'best practices', 'performance (mobile)', 'FCP ms', 'LCP ms', 'TBT ms', 'CLS'],
      results.lighthouse.map((r) => [
        r.page,
        r.performance,
        r.accessibility,
        r.bestPractices,
        r.mobilePerformance,
        Math.round(r.metrics.fcpMs),
        Math.round(r.metrics.lcpMs),
        Math.round(r.metrics.tbtMs),
        r.metrics.cls,
      ]),
    ),
  ].join('\n');
}

/** Figures that are missing (a broken run), not goals missed: those show in the table. */
export function consoleProblems(results: ConsoleResults): string[] {
  const missing = results.lighthouse.filter((r) => ![r.performance, r.accessibility, r.bestPractices].every(Number.isFinite));
  return missing.map((r) => `no Lighthouse scores for the ${r.page}`);
}
