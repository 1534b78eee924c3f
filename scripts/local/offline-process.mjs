// serverless offline, as `npm run dev` and the test stack run it. serverless offline does not await an
// asynchronous (InvocationType Event) invocation, so a handler that fails or times out there becomes an
// unhandled rejection, which would end the whole process and take ports 4000 and 3002 with it. Here it
// is logged instead; the outbox relay (the only function invoked that way) is retried by the sweep.
import console from 'node:console';
import process from 'node:process';
import { setInterval } from 'node:timers';

process.on('unhandledRejection', (reason) => {
  console.error(`[offline] an asynchronous invocation failed (the process keeps running): ${reason instanceof Error ? reason.message : String(reason)}`);
});

// It runs in a process group of its own (offline.ts), which signals to the stack's group do not reach: when the
// stack that started it is gone without stopping it (killed outright), it stops itself and frees its ports.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(-process.pid, 'SIGTERM');
}, 1_000).unref();

await import('../../node_modules/serverless/bin/serverless.js');
