import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { checkHealth } from '../src/health-client.js';
import { call, countRows, grpcError, startBillingTestServer, type BillingTestServer } from './support/billing-test-server.js';

type ReflectionStream = grpc.ClientDuplexStream<{ list_services: string }, ReflectionResponse>;
interface ReflectionResponse {
  list_services_response?: { service: Array<{ name: string }> };
}

/** Asks the server's reflection service for its services, as `grpcurl -plaintext host:port list` does. */
async function listServicesByReflection(address: string): Promise<string[]> {
  const reflectionPackage = dirname(createRequire(import.meta.url).resolve('@grpc/reflection'));
  const definition = protoLoader.loadSync(join(reflectionPackage, '../proto/grpc/reflection/v1/reflection.proto'), { keepCase: true });
  // loadPackageDefinition is loosely typed; the path follows reflection.proto's package.
  const reflection = grpc.loadPackageDefinition(definition).grpc as grpc.GrpcObject;
  const Client = ((reflection.reflection as grpc.GrpcObject).v1 as grpc.GrpcObject).ServerReflection as grpc.ServiceClientConstructor;
  const client = new Client(address, grpc.credentials.createInsecure());
  try {
    const stream = (client as unknown as { ServerReflectionInfo(): ReflectionStream }).ServerReflectionInfo();
    const answer = new Promise<string[]>((resolve, reject) => {
      stream.once('data', (response: ReflectionResponse) => resolve((response.list_services_response?.service ?? []).map((s) => s.name)));
      stream.once('error', reject);
    });
    stream.write({ list_services: '' });
    stream.end();
    return await answer;
  } finally {
    client.close();
  }
}

describe('billing server operations', () => {
  let billing: BillingTestServer;
  before(async () => {
    billing = await startBillingTestServer();
  });
  after(async () => {
    await billing?.close();
  });

  test('the health service answers SERVING for the server and for BillingService', async () => {
    assert.equal(await checkHealth(billing.server.address), 'SERVING');
    assert.equal(await checkHealth(billing.server.address, { service: 'billing.v1.BillingService' }), 'SERVING');
  });

  test('reflection lists BillingService and the health service', async () => {
    const services = await listServicesByReflection(billing.server.address);
    assert.ok(services.includes('billing.v1.BillingService'), `got ${services.join(', ')}`);
    assert.ok(services.includes('grpc.health.v1.Health'), `got ${services.join(', ')}`);
  });

  test('a call whose deadline has already passed is DEADLINE_EXCEEDED', async () => {
    const request = { patientId: randomUUID(), name: 'Ada', email: 'ada@example.org' };
    await assert.rejects(
      call(billing.client.createBillingAccount.bind(billing.client), request, { deadline: new Date(Date.now() - 1_000) }),
      grpcError(grpc.status.DEADLINE_EXCEEDED),
    );
  });

  test('a call still blocked when its deadline passes is DEADLINE_EXCEEDED, and the server recovers', async () => {
    const patientId = randomUUID();
    // Hold the patient's unique key in an open transaction so the server's insert has to wait for it.
    const blocker = await billing.sql.connect();
    try {
      await blocker.query('begin');
      await blocker.query(`insert into billing.accounts (patient_id, name, email) values ($1, 'x', 'x@example.org')`, [patientId]);
      const request = { patientId, name: 'Ada', email: 'ada@example.org' };
      await assert.rejects(
        call(billing.client.createBillingAccount.bind(billing.client), request, { deadlineMs: 300 }),
        grpcError(grpc.status.DEADLINE_EXCEEDED),
      );
      await blocker.query('rollback');
    } finally {
      blocker.release();
    }
    const retry = await call(billing.client.createBillingAccount.bind(billing.client), { patientId, name: 'Ada', email: 'ada@example.org' });
    assert.equal(retry.status, 'ACTIVE');
    assert.equal(await countRows(billing.sql, 'accounts', 'patient_id = $1', [patientId]), 1);
  });
});

describe('billing server with reflection turned off (BILLING_REFLECTION=false, as in production)', () => {
  let billing: BillingTestServer;
  before(async () => {
    billing = await startBillingTestServer({ reflection: false });
  });
  after(async () => {
    await billing?.close();
  });

  test('reflection is UNIMPLEMENTED', async () => {
    await assert.rejects(listServicesByReflection(billing.server.address), grpcError(grpc.status.UNIMPLEMENTED));
  });

  test('health still answers SERVING', async () => {
    assert.equal(await checkHealth(billing.server.address), 'SERVING');
  });
});
