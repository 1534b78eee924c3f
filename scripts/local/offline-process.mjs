// serverless offline, as `npm run dev` and the test stack run it. serverless offline does not await an
// asynchronous (InvocationType Event) invocation, so a handler that fails or times out there becomes an
// unhandled rejection, which would end the whole process and take ports 4000 and 3002 with it. Here it
// is logged instead; the outbox relay (the only function invoked that way) is retried by the sweep.
import console from 'node:console';
import process from 'node:process';

process.on('unhandledRejection', (reason) => {
  console.error(`[offline] an asynchronous invocation failed (the process keeps running): ${reason instanceof Error ? reason.message : String(reason)}`);
});

await import('../../node_modules/serverless/bin/serverless.js');
