// Runs before `npm run dev` and `npm test`: on a fresh clone it installs the dependencies first, so each
// of those is the one command it promises to be. Plain JavaScript: nothing is installed yet when it runs.
import { execFileSync } from 'node:child_process';
import console from 'node:console';
import { existsSync, statSync } from 'node:fs';

const installed = 'node_modules/.package-lock.json';
const stale = !existsSync(installed) || statSync('package-lock.json').mtimeMs > statSync(installed).mtimeMs;
if (stale) {
  console.log('Installing dependencies (npm ci) …');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
}
