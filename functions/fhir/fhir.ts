/**
 * The `/fhir/R4` function: one Lambda behind the HTTP API (metadata and SMART configuration public, everything
 * else behind the JWT authorizer). The route table (fhir-routes.ts) dispatches; this file is the HTTP glue:
 * content negotiation, the bearer token and the SMART scope of each interaction, the body, and every error as an
 * OperationOutcome (never problem+json, never a 5xx for what a client sends).
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { kickOutboxRelay } from '../outbox/relay-trigger.js';
import { DeletedPatientError } from '../patients/patients.service.js';
import { bearerActor, header, MAX_BODY_BYTES } from '../shared/http.js';
import { findUnreadableText, MAX_JSON_DEPTH, nestsDeeperThan } from '../shared/json-body.js';
import { logger, type Logger } from '../shared/logger.js';
import { callSites } from '../shared/stack-trace.js';
import { capabilityStatement, smartConfiguration } from './capability-statement.js';
import { FHIR_JSON, type FhirRequest, type FhirResponse } from './fhir-request.js';
import { findRoute, PATIENT_ROUTES, type FhirRoute } from './fhir-routes.js';
import { FhirError, toOperationOutcome } from './operation-outcome.js';
import { patientFieldExpression } from './patient-mapping.js';
import { permits } from './smart-scopes.js';

type HttpEvent = APIGatewayProxyEventV2;
type HttpResult = APIGatewayProxyStructuredResultV2;

const BASE_PATH = '/fhir/R4';

const ROUTES: FhirRoute[] = [
  { method: 'GET', path: '/metadata', interaction: 'capabilities', handle: async (request) => ({ status: 200, body: capabilityStatement(ROUTES, request.baseUrl) }) },
  { method: 'GET', path: '/.well-known/smart-configuration', interaction: 'smart-configuration', handle: async () => ({ status: 200, body: smartConfiguration(), headers: { 'Content-Type': 'application/json' } }) },
  ...PATIENT_ROUTES,
];

const fail = (status: number, code: 'not-supported' | 'invalid' | 'structure' | 'too-costly' | 'forbidden' | 'not-found', diagnostics: string, headers: Record<string, string> = {}) =>
  new FhirError(status, [{ severity: 'error', code, diagnostics }], headers);

/** `_format` and `Accept`: we answer JSON only; a client that will only take XML gets 406. */
function checkAcceptable(event: HttpEvent): void {
  const format = event.queryStringParameters?._format;
  const wanted = format ?? (header(event, 'accept') || '*/*');
  const acceptsJson = /(^|[,\s])(\*\/\*|application\/\*|application\/(fhir\+)?json|json)\s*($|[,;])/i.test(wanted) || (format !== undefined && /^(json|application\/(fhir\+)?json)$/i.test(format));
  if (!acceptsJson) throw fail(406, 'not-supported', 'This server answers application/fhir+json only (XML is not supported).');
}

/** This server's FHIR base as the client addressed it (FHIR_BASE_URL overrides it behind a proxy or custom domain). */
function baseUrl(event: HttpEvent): string {
  if (process.env.FHIR_BASE_URL) return process.env.FHIR_BASE_URL;
  const host = header(event, 'host') ?? '';
  if (!/^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/.test(host)) return BASE_PATH;
  const local = /^(localhost|127\.\d+\.\d+\.\d+)(:\d+)?$/.test(host);
  const proto = header(event, 'x-forwarded-proto') === 'http' || local ? 'http' : 'https';
  return `${proto}://${host}${BASE_PATH}`;
}

/** The body of a create or update (a FHIR resource as JSON) or of POST _search (a form). */
function readBody(event: HttpEvent, kind: 'resource' | 'form'): { resource?: unknown; form?: Array<[string, string]> } {
  const raw = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  if (raw.byteLength > MAX_BODY_BYTES) throw fail(413, 'too-costly', `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
  const contentType = (header(event, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (kind === 'form') {
    if (raw.byteLength === 0) return { form: [] };
    if (contentType !== 'application/x-www-form-urlencoded') throw fail(415, 'not-supported', 'A search by POST sends its parameters as application/x-www-form-urlencoded.');
    return { form: [...new URLSearchParams(raw.toString('utf8'))] };
  }
  if (contentType !== 'application/fhir+json' && contentType !== 'application/json') throw fail(415, 'not-supported', 'The resource must be sent as application/fhir+json (XML is not supported).');
  if (raw.byteLength === 0) throw fail(400, 'invalid', 'A Patient resource is required in the body.');
  const text = raw.toString('utf8');
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) throw fail(400, 'structure', `The request body nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels.`);
  let resource: unknown;
  try {
    resource = JSON.parse(text);
  } catch {
    throw fail(400, 'structure', 'The request body is not valid JSON.');
  }
  const unreadable = findUnreadableText(resource, 20);
  if (unreadable.nul || unreadable.fields.length > 0) throw fail(400, 'invalid', 'The request body holds text that is not valid Unicode or contains NUL characters.');
  return { resource };
}

/** The query string's parameters in order, repeats kept (API Gateway joins repeats with commas in queryStringParameters). */
function queryParameters(event: HttpEvent): Array<[string, string]> {
  try {
    return [...new URLSearchParams(event.rawQueryString ?? '')];
  } catch {
    throw fail(400, 'invalid', 'The query string cannot be decoded.');
  }
}

/** Interactions that only read: they queue no outbox message, so they never kick the relay (POST _search, $match). */
const READS: ReadonlySet<FhirRoute['interaction']> = new Set(['capabilities', 'smart-configuration', 'read', 'vread', 'history-instance', 'search-type']);

async function dispatch(event: HttpEvent, requestId: string, log: Logger): Promise<{ response: FhirResponse; writes: boolean }> {
  const method = event.requestContext?.http?.method ?? 'GET';
  const rawPath = event.rawPath ?? '';
  const path = rawPath.startsWith(BASE_PATH) ? rawPath.slice(BASE_PATH.length) : rawPath;
  const found = findRoute(ROUTES, method, path);
  if ('allow' in found) {
    if (found.allow.length > 0) throw fail(405, 'not-supported', `${method} is not supported here.`, { Allow: found.allow.join(', ') });
    throw fail(404, 'not-found', `This server serves no ${path.split('/')[1] || 'resource'} at ${rawPath}: see ${BASE_PATH}/metadata.`);
  }
  checkAcceptable(event);
  const { route, params } = found;
  const request: FhirRequest = { method, params, query: queryParameters(event), header: (name) => header(event, name), baseUrl: baseUrl(event), log };
  if (route.resourceType) {
    const actor = await bearerActor(event, log);
    request.actor = actor;
    request.caller = { actor: actor.sub, requestId };
    request.log = log.child({ actor: actor.sub });
    if (route.interaction !== 'capabilities' && route.interaction !== 'smart-configuration' && !permits(actor.scopes, route.resourceType, route.interaction)) {
      throw fail(403, 'forbidden', `The token's scopes do not allow ${route.interaction} on ${route.resourceType}.`);
    }
    if (route.requires && !actor.scopes.has(route.requires)) throw fail(403, 'forbidden', `This operation needs the scope ${route.requires}.`);
  }
  if (route.body) {
    const { resource, form } = readBody(event, route.body);
    request.body = resource;
    if (form) request.query = [...request.query, ...form];
  }
  return { response: await route.handle(request), writes: !READS.has(route.interaction) };
}

function asHttp(response: FhirResponse, requestId: string, head: boolean): HttpResult {
  // A 304 (conditional read) has no body, so no content type either.
  const headers = { ...(response.status === 304 ? {} : { 'Content-Type': FHIR_JSON }), 'X-Request-Id': requestId, ...response.headers };
  if (response.body === undefined || head) return { statusCode: response.status, headers };
  return { statusCode: response.status, headers, body: JSON.stringify(response.body) };
}

async function fhirRequest(event: HttpEvent, context: Context): Promise<HttpResult> {
  const requestId = context.awsRequestId;
  const log = logger.child({ requestId, route: 'fhir' });
  const method = event.requestContext?.http?.method ?? 'GET';
  try {
    const { response, writes } = await dispatch(event, requestId, log);
    log.info({ status: response.status, method }, 'request handled');
    if (writes && response.status < 300) await kickOutboxRelay(log);
    return asHttp(response, requestId, method === 'HEAD');
  } catch (error) {
    const deleted = error instanceof DeletedPatientError ? new FhirError(410, [{ severity: 'error', code: 'deleted', diagnostics: 'This patient was deleted.' }]) : error;
    const outcome = toOperationOutcome(deleted, requestId, { fieldExpression: patientFieldExpression });
    if (outcome.status >= 500) log.error({ err: { type: (error as Error)?.name, code: (error as { code?: string })?.code, frames: callSites((error as Error)?.stack) } }, 'request failed');
    else log.info({ status: outcome.status }, 'request rejected');
    return { statusCode: outcome.status, headers: outcome.headers, body: JSON.stringify(outcome.body) };
  }
}

// middy for its early timeout (250 ms before the function's): a request that waited too long answers 503, not a cut-off.
export const handler = middy<HttpEvent, HttpResult>({ timeoutEarlyInMillis: 250 })
  .onError((request) => {
    const outcome = toOperationOutcome(request.error, request.context.awsRequestId);
    request.response = { statusCode: outcome.status, headers: outcome.headers, body: JSON.stringify(outcome.body) };
  })
  .handler(fhirRequest);
