/**
 * The first event each packaged function answers in the cold-start benchmark: an HTTP API (payload 2.0)
 * request as API Gateway sends it, the Kafka batch of test/events/, or the schedule's event.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { PackagedFunction } from './packaged.js';

export interface EventInputs {
  adminToken: string;
  user: { email: string; password: string };
  /** A live patient to read or update. */
  patientId: string;
  /** A live patient this event may delete (deletePatient needs a new one per run). */
  nextDeletablePatientId: () => Promise<string>;
  kafkaFixture: string;
}

export function httpEvent(method: string, routePath: string, values: { token?: string; pathParameters?: Record<string, string>; body?: unknown; query?: Record<string, string> }) {
  const rawPath = routePath.replace(/\{(\w+)\}/g, (_, name: string) => values.pathParameters?.[name] ?? name);
  const headers: Record<string, string> = { host: 'localhost', 'user-agent': 'bench' };
  if (values.token) headers.authorization = `Bearer ${values.token}`;
  if (values.body !== undefined) headers['content-type'] = 'application/json';
  const routeKey = routePath === '*' ? '$default' : `${method} ${routePath}`;
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: new URLSearchParams(values.query ?? {}).toString(),
    headers,
    ...(values.query ? { queryStringParameters: values.query } : {}),
    ...(values.pathParameters ? { pathParameters: values.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(values.body !== undefined ? { body: JSON.stringify(values.body), isBase64Encoded: false } : { isBase64Encoded: false }),
  };
}

let unique = 0;
const uniqueEmail = (prefix: string) => `${prefix}-${process.pid}-${Date.now()}-${unique++}@bench.example`;

/** A new patient's fields (made up; no real person). */
export function patientBody() {
  return { name: 'Bench Patient', email: uniqueEmail('patient'), address: '1 Bench Street', dateOfBirth: '1980-02-29', registeredDate: '2024-01-01' };
}

export async function firstEvent(fn: PackagedFunction, inputs: EventInputs): Promise<unknown> {
  if (fn.trigger === 'kafka') return JSON.parse(await readFile(inputs.kafkaFixture, 'utf8')) as unknown;
  if (fn.trigger === 'schedule') return {};
  const { method, path: routePath } = fn.http ?? { method: 'GET', path: '*' };
  const token = inputs.adminToken;
  const id = { id: inputs.patientId };
  switch (`${method} ${routePath}`) {
    case 'POST /auth/login':
      return httpEvent(method, routePath, { body: inputs.user });
    case 'POST /auth/refresh':
    case 'POST /auth/logout':
      // An unknown refresh token: answered 401 after the same lookups a real one costs.
      return httpEvent(method, routePath, { token, body: { refreshToken: randomUUID() } });
    case 'POST /api/users':
      return httpEvent(method, routePath, { token, body: { email: uniqueEmail('user'), password: 'bench-password-1', role: 'clinician' } });
    case 'POST /api/patients':
      return httpEvent(method, routePath, { token, body: patientBody() });
    case 'PUT /api/patients/{id}': {
      const { registeredDate: _, ...update } = patientBody();
      return httpEvent(method, routePath, { token, pathParameters: id, body: update });
    }
    case 'DELETE /api/patients/{id}':
      return httpEvent(method, routePath, { token, pathParameters: { id: await inputs.nextDeletablePatientId() } });
    case 'GET /api/audit-events':
      return httpEvent(method, routePath, { token, query: { patientId: inputs.patientId } });
    case 'GET /api/patients':
      return httpEvent(method, routePath, { token, query: { limit: '20' } });
    default: {
      const pathParameters = routePath.includes('{id}') ? id : undefined;
      return httpEvent(method, routePath, { token, ...(pathParameters ? { pathParameters } : {}) });
    }
  }
}
