/**
 * The two analytics Lambda handlers as Lambda calls them, against real PostgreSQL. They read their
 * configuration from the environment at first use, so it is set before they are imported.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { APIGatewayProxyEventV2, Context, SelfManagedKafkaEvent } from 'aws-lambda';
import type { RouteContext } from '../../functions/shared/http.js';
import { migrateToLatest } from '../../scripts/migrate.js';
import { assertMatchesContract } from '../support/contract.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../events/${name}`, import.meta.url), 'utf8')) as SelfManagedKafkaEvent;
const lambdaContext = { awsRequestId: 'test-request' } as Context;

let database: TestDatabase;
let consume: typeof import('../../functions/analytics/consume-patient-events.js');
let getAnalytics: typeof import('../../functions/analytics/get-analytics.js');
let issueAccessToken: typeof import('../../functions/auth/access-token.js').issueAccessToken;
let closeDb: typeof import('../../functions/shared/db.js').closeDb;

before(async () => {
  database = await createTestDatabase('analytics_handlers');
  await migrateToLatest(database.url);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keys = JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'analytics-test', alg: 'RS256', use: 'sig' }] });
  process.env.JWT_PUBLIC_JWKS = keys;
  process.env.JWT_PRIVATE_KEY = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  process.env.JWT_KEY_ID = 'analytics-test';
  process.env.LOG_LEVEL = 'silent';
  consume = await import('../../functions/analytics/consume-patient-events.js');
  getAnalytics = await import('../../functions/analytics/get-analytics.js');
  ({ issueAccessToken } = await import('../../functions/auth/access-token.js'));
  ({ closeDb } = await import('../../functions/shared/db.js'));
});

after(async () => {
  await closeDb?.();
  await database?.drop();
});

function getRequest(token?: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'GET /api/analytics',
    rawPath: '/api/analytics',
    rawQueryString: '',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    requestContext: { requestId: 'test-request', http: { method: 'GET', path: '/api/analytics' } },
    isBase64Encoded: false,
  } as APIGatewayProxyEventV2;
}

async function callGetAnalytics(token?: string) {
  // The route's middlewares fill in the rest of RouteContext from the Lambda context.
  const result = await getAnalytics.handler(getRequest(token), lambdaContext as RouteContext);
  const text = result.body ?? '';
  return { status: result.statusCode ?? 200, headers: new Headers(result.headers as Record<string, string>), text, body: text ? JSON.parse(text) : undefined };
}

describe('the Kafka-triggered analytics handler', () => {
  test('fails the invocation while the database is unreachable, so the batch is redelivered', async () => {
    process.env.DATABASE_URL = 'postgres://postgres@127.0.0.1:1/unreachable';

    await assert.rejects(consume.handler(fixture('patient-events.json'), lambdaContext));

    await closeDb();
    process.env.DATABASE_URL = database.url;
  });

  test('counts the events of a SelfManagedKafkaEvent, and none again when the batch is redelivered', async () => {
    const first = await consume.handler(fixture('patient-events.json'), lambdaContext);
    const redelivered = await consume.handler(fixture('patient-events.json'), lambdaContext);

    assert.deepEqual(first, { counted: 5, duplicates: 0, skipped: 0 });
    assert.deepEqual(redelivered, { counted: 0, duplicates: 5, skipped: 0 });
  });
});

describe('GET /api/analytics', () => {
  test('answers an analyst with the counts, as openapi.yaml documents them', async () => {
    await consume.handler(fixture('patient-events.json'), lambdaContext); // idempotent: counted once however often
    const { token } = await issueAccessToken('00000000-0000-4000-8000-000000000001', 'analyst');

    const response = await callGetAnalytics(token);

    assertMatchesContract(response, 'GET', '/api/analytics');
    assert.equal(response.status, 200);
    assert.equal(response.body.patientsCreated, 3);
    assert.equal(response.body.activePatients, 2);
  });

  test('refuses a clinician, whose token lacks analytics:read', async () => {
    const { token } = await issueAccessToken('00000000-0000-4000-8000-000000000002', 'clinician');

    const response = await callGetAnalytics(token);

    assertMatchesContract(response, 'GET', '/api/analytics');
    assert.equal(response.status, 403);
  });

  test('refuses a request without a bearer token', async () => {
    const response = await callGetAnalytics();

    assertMatchesContract(response, 'GET', '/api/analytics');
    assert.equal(response.status, 401);
  });
});
