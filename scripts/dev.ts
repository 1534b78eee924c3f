/**
 * `npm run dev`: the whole system on this machine, state kept in .local/. Ctrl-C stops all of it.
 */
import { execFileSync } from 'node:child_process';
import { assertRunningDeployedNode } from './deployed-node.js';
import { startDevConsole } from './local/console.js';
import { startStack } from './local/stack.js';

assertRunningDeployedNode();
execFileSync('npm', ['run', '--silent', 'generate'], { stdio: 'inherit' });
const signals = ['SIGINT', 'SIGTERM'] as const;

let stopping = false;
const running: { stop?: () => Promise<void> } = {};
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping …');
  await running.stop?.();
  console.log('Stopped.');
  process.exit(0);
};
for (const name of signals) process.on(name, shutdown);

console.log('Starting PostgreSQL, Kafka, the billing server and serverless offline …');
const stack = await startStack({
  stateDir: '.local',
  persistent: true,
  ports: { http: 4000, lambda: 3002, postgres: 54320, kafka: 9092, billing: 9001 },
  sweepSeconds: 5,
  startBilling: true,
  watch: true,
  log: (line) => console.log(`[dev] ${line}`),
});
running.stop = stack.stop;
if (stopping) await shutdown();
const webConsole = await startDevConsole('http://localhost:4000');
stack.services.push({ name: 'Web console', where: `${webConsole.url} (sign in as testuser@test.com / password123)` });

const width = Math.max(...stack.services.map((s) => s.name.length));
console.log('\nPatient management is running:');
for (const service of stack.services) console.log(`  ${service.name.padEnd(width)}  ${service.where}`);
console.log('\n  Sign in: curl -s localhost:4000/auth/login -H "Content-Type: application/json" \\');
console.log(`           -d '{"email":"testuser@test.com","password":"password123"}'`);
console.log('  Reference: http://localhost:4000/api-docs   Logs: .local/logs/   Stop: Ctrl-C\n');
