/**
 * The HTTP middleware chain every route uses: request logger, problem+json errors, bearer-token
 * verification with scope check, and JSON body parsing validated against an openapi.yaml schema.
 * A handler file then reads: `export const handler = httpRoute({ scopes, body }, async (event, ctx) => ...)`.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { InvalidTokenError, verifyAccessToken, type Actor } from '../auth/access-token.js';
import type { Scope } from '../auth/scopes.js';
import {
  AppError,
  badRequest,
  forbidden,
  payloadTooLarge,
  unauthorized,
  unsupportedMediaType,
  validationFailed,
} from './errors.js';
import { findUnreadableText, MAX_JSON_DEPTH, nestsDeeperThan } from './json-body.js';
import { logger, type Logger } from './logger.js';
import { MAX_FIELD_ERRORS, validateBody, type Operation } from './openapi.js';
import { problemResponse, toAppError } from './problem.js';
import { callSites } from './stack-trace.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export interface RouteContext extends Context {
  requestId: string;
  log: Logger;
  /** The verified caller; set on every route that declares scopes. */
  actor: Actor;
  /** The parsed body, already valid against the route's schema. */
  body: unknown;
}

export interface RouteOptions {
  /** Scopes the caller's access token must all carry; `false` for a public route. */
  scopes: readonly Scope[] | false;
  /** The openapi.yaml operation (from operations.ts) whose JSON request body schema the body must satisfy. */
  body?: Operation;
}

type Middleware = MiddlewareObj<HttpEvent, HttpResult, Error, RouteContext>;

export function header(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

function requestContext(): Middleware {
  return {
    before: ({ event, context }) => {
      // The Lambda request id is unique per invocation everywhere (serverless-offline reuses a fixed API id).
      context.requestId = context.awsRequestId;
      context.log = logger.child({ requestId: context.requestId, route: event.routeKey });
    },
    after: ({ event, context, response }) => {
      context.log.info({ status: response?.statusCode, method: event.requestContext?.http?.method }, 'request handled');
    },
  };
}

function problemErrors(): Middleware {
  return {
    onError: (request) => {
      const { error, context } = request;
      const log = context.log ?? logger;
      const known = toAppError(error);
      // Error messages (from PostgreSQL, say) may quote input values: log the type, code and call sites only.
      // Built only when logged: the first stack of a container reads the bundle's source map (stack-trace.ts),
      // and a refused request logs no stack.
      const err = () => ({ type: error?.name, code: (error as { code?: string })?.code, frames: callSites(error?.stack) });
      if (known instanceof AppError && known === error && known.status < 500) {
        log.info({ status: known.status, code: known.code }, 'request rejected');
      } else if (known?.status === 503) {
        // A dependency saturated or briefly away: the client is told to retry (Retry-After).
        log.warn({ status: 503, err: err() }, 'dependency unavailable');
      } else if (known && known.status < 500) {
        // Input that validation let through and the database refused: answered as 400, but worth a look.
        log.warn({ status: known.status, err: err() }, 'request rejected by the database');
      } else {
        log.error({ err: err() }, 'request failed');
      }
      request.response = problemResponse(error, context.requestId ?? context.awsRequestId);
    },
  };
}


/**
 * The verified caller of a request's bearer token, or a 401 (the reason logged: expired, signature, issuer, …;
 * jose's words, never the token). Every route's authentication, ours and FHIR's (functions/fhir/fhir.ts).
 */
export async function bearerActor(event: HttpEvent, log: Logger): Promise<Actor> {
  // The scheme name is case-insensitive (RFC 9110 §11.1).
  const match = /^Bearer +([A-Za-z0-9._~+/=-]+)$/i.exec(header(event, 'authorization') ?? '');
  if (!match?.[1]) throw unauthorized();
  try {
    return await verifyAccessToken(match[1]);
  } catch (error) {
    if (!(error instanceof InvalidTokenError)) throw error;
    log.info({ reason: error.message }, 'bearer token refused');
    throw unauthorized('The bearer token is invalid or expired.');
  }
}

function authenticate(scopes: readonly Scope[]): Middleware {
  return {
    before: async ({ event, context }) => {
      context.actor = await bearerActor(event, context.log);
      context.log = context.log.child({ actor: context.actor.sub });
      if (!scopes.every((scope) => context.actor.scopes.has(scope))) throw forbidden();
    },
  };
}

function jsonBody(operation: Operation): Middleware {
  return {
    before: ({ event, context }) => {
      const contentType = (header(event, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
      const raw = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
      if (raw.byteLength > MAX_BODY_BYTES) throw payloadTooLarge(MAX_BODY_BYTES);
      if (contentType !== 'application/json') throw unsupportedMediaType();
      if (raw.byteLength === 0) throw badRequest('A JSON request body is required.');
      const text = raw.toString('utf8');
      if (nestsDeeperThan(text, MAX_JSON_DEPTH)) throw badRequest(`The request body nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels.`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw badRequest('The request body is not valid JSON.');
      }
      // PostgreSQL text cannot hold NUL characters: refuse them here rather than fail at the database.
      // The decoded values are checked, so the six characters `\u0000` written as text stay acceptable.
      const unreadable = findUnreadableText(parsed, MAX_FIELD_ERRORS);
      if (unreadable.nul) throw badRequest('The request body must not contain NUL characters.');
      if (unreadable.fields.length > 0) throw validationFailed(unreadable.fields);
      const errors = validateBody(operation, parsed);
      if (errors.length > 0) throw validationFailed(errors);
      context.body = parsed;
    },
  };
}

export function httpRoute(
  options: RouteOptions,
  handler: (event: HttpEvent, context: RouteContext) => Promise<HttpResult>,
) {
  // Answer a clean 503 (problem.ts) a quarter second before the function's timeout, rather than middy's default
  // 5 ms: time enough to log it and send the answer before the runtime cuts the invocation off.
  const chain = middy<HttpEvent, HttpResult, Error, RouteContext>({ timeoutEarlyInMillis: 250 }).use(requestContext()).use(problemErrors());
  if (options.scopes) chain.use(authenticate(options.scopes));
  if (options.body) chain.use(jsonBody(options.body));
  return chain.handler(handler);
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export function noContent(headers: Record<string, string> = {}): HttpResult {
  return { statusCode: 204, headers };
}

/** The caller's source IP as API Gateway saw it. */
export function sourceIp(event: HttpEvent): string {
  return event.requestContext?.http?.sourceIp ?? 'unknown';
}
