/**
 * `npm run fuzz`: the generated requests of test/e2e/generated-requests.test.ts, longer than in `npm test` and
 * with a fresh seed each run (FUZZ_RUNS requests per operation, default 300; FUZZ_SEED to pick the seed), against
 * a throwaway stack as `npm test` starts it. A failure prints the seed and path that replay it.
 */
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';

const seed = process.env.FUZZ_SEED ?? String(randomInt(2 ** 31));
const runs = process.env.FUZZ_RUNS ?? '300';
console.log(`npm run fuzz: seed ${seed}, ${runs} requests per operation`);
const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/test.ts', 'test/e2e/generated-requests.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_SEED: seed, FUZZ_RUNS: runs },
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
child.once('exit', (code) => {
  if (code !== 0) console.log(`\nReplay this run: FUZZ_SEED=${seed} FUZZ_RUNS=${runs} npm run fuzz (add FUZZ_PATH=<path> from the failure to replay just the failing request, FUZZ_SHRINK=1 to shrink it)`);
  process.exit(code ?? 1);
});
