/**
 * Generated requests for every operation in openapi.yaml (issue 18), sent to the real stack: valid, boundary and
 * invalid values, wrong types, missing and extra fields, huge, deeply nested and Unicode-edged values, odd headers
 * and content types, with and without a valid token. Every answer must be below 500, documented for the operation
 * and matching its schema, an error must be problem+json (or API Gateway's own documented body), and a refused
 * request must have written nothing.
 *
 * `npm test` uses a fixed seed and FUZZ_RUNS (default 25) requests per operation; `npm run fuzz` runs longer with a
 * fresh seed. A failure prints its seed and path: FUZZ_SEED=<seed> FUZZ_PATH=<path> npm run fuzz replays it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { login, userWithRole } from '../support/api.js';
import { startBillingServer } from '../support/billing.js';
import { assertMatchesContract, type ApiResponse } from '../support/contract.js';
import { operations, requestsFor, type GeneratedRequest, type KnownIds } from '../support/generated-requests/requests.js';
import { forgedToken, send, WrittenState, type Tokens } from '../support/generated-requests/send.js';

const seed = Number(process.env.FUZZ_SEED ?? 20_261_207);
const runs = Number(process.env.FUZZ_RUNS ?? 25);
const path = process.env.FUZZ_PATH;
for (const [name, value] of [['FUZZ_SEED', seed], ['FUZZ_RUNS', runs]] as const) {
  if (!Number.isSafeInteger(value) || (name === 'FUZZ_RUNS' && value < 1)) throw new Error(`${name} must be a whole number, not "${process.env[name]}"`);
}
const startedAt = new Date();
const state = new WrittenState();
const tokens = {} as Tokens;
let forged = '';
const known: KnownIds = { patient: [], user: [], outbox: [] };
// The billing routes reach past "billing is unavailable" only with the billing server up.
const billing = await startBillingServer('billing-generated-requests');

before(async () => {
  tokens.admin = (await login()).token;
  tokens.clinician = (await userWithRole(tokens.admin, 'clinician')).token;
  tokens.analyst = (await userWithRole(tokens.admin, 'analyst')).token;
  forged = await forgedToken();
  known.patient = await state.ids('select id from patients order by seq desc limit 20');
  known.user = await state.ids('select id from users order by created_at desc limit 10');
  known.outbox = await state.ids('select id from outbox order by id desc limit 10');
});
after(async () => {
  await state.forgetLoginFailures(startedAt);
  await state.close();
  await billing.stop();
});

function assertAcceptable(request: GeneratedRequest, response: ApiResponse, before: Record<string, string>, afterwards: Record<string, string>) {
  const what = `${request.method} ${request.path} answered ${response.status}: ${response.text.slice(0, 300)}`;
  assert.ok(response.status < 500, what);
  assertMatchesContract(response, request.method, request.template);
  if (response.status >= 400) {
    const type = response.headers.get('content-type') ?? '';
    // The gateway's own refusals (openapi.yaml documents each): a path it cannot decode, its JWT authorizer.
    const gateway = type.startsWith('application/json') && [400, 401, 403].includes(response.status);
    assert.ok(type.startsWith('application/problem+json') || gateway, `${what} (content type ${type})`);
    assert.deepEqual(afterwards, before, `${what}: a refused request wrote`);
  }
}

describe(`generated requests to every operation in openapi.yaml (seed ${seed}, ${runs} per operation)`, () => {
  for (const operation of operations()) {
    test(`${operation.method} ${operation.template}: never 5xx, always documented, nothing written when refused`, async () => {
      let sent = 0;
      await fc.assert(
        fc.asyncProperty(requestsFor(operation, known), async (request) => {
          // The sign-in throttle counts every refused sign-in from this address; forgotten before each one here,
          // so it never answers for the requests (and test files) after.
          if (request.template === '/auth/login') await state.forgetLoginFailures(startedAt);
          const before = await state.read();
          const response = await send(request, tokens, forged);
          const afterwards = response.status >= 400 ? await state.read() : before;
          sent += 1;
          assertAcceptable(request, response, before, afterwards);
        }),
        { seed, numRuns: runs, path, endOnFailure: !process.env.FUZZ_SHRINK, verbose: 1 },
      );
      assert.equal(sent >= runs, true, `only ${sent} of ${runs} requests were sent`);
    });
  }
});
