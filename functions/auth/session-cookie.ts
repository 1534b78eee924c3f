/**
 * The console's session mode for the auth routes. A browser must never let page scripts read the refresh
 * token, so when a request carries `X-PM-Client: console` the refresh token travels only in the HttpOnly
 * cookie `pm_refresh`, scoped to /auth. Cross-site protection: SameSite=Strict, the custom header (a
 * cross-site form cannot send it, and CORS is off so a cross-site script cannot either), and, when the
 * browser sends `Origin`, that origin must be the API's own (JWT_ISSUER).
 */
import { config } from '../shared/config.js';
import { forbidden, validationFailed } from '../shared/errors.js';
import { header, json, type httpRoute, type HttpEvent, type HttpResult, type RouteContext } from '../shared/http.js';
import type { TokenPair } from './auth.service.js';

export const REFRESH_COOKIE = 'pm_refresh';
const COOKIE_ATTRIBUTES = 'Path=/auth; HttpOnly; Secure; SameSite=Strict';

/** True when the request asks for console mode; throws when that request is cross-site or malformed. */
export function isConsoleRequest(event: HttpEvent): boolean {
  const client = header(event, 'x-pm-client');
  if (client === undefined) return false;
  if (client !== 'console') throw validationFailed([{ field: 'header.X-PM-Client', message: 'must be "console" when present' }]);
  const origin = header(event, 'origin');
  if (origin !== undefined && origin !== new URL(config.jwt.issuer).origin) {
    throw forbidden('Console sessions are only accepted from the API’s own origin.');
  }
  return true;
}

/**
 * The `pm_refresh` cookie's value, if sent. API Gateway (payload 2.0) passes cookies in `event.cookies`;
 * the `Cookie` header is read too for callers that keep it.
 */
export function refreshTokenFromCookie(event: HttpEvent): string | undefined {
  const pairs = [...(event.cookies ?? []), ...(header(event, 'cookie')?.split(';') ?? [])];
  for (const pair of pairs) {
    const separator = pair.indexOf('=');
    if (separator > 0 && pair.slice(0, separator).trim() === REFRESH_COOKIE) {
      const value = pair.slice(separator + 1).trim();
      // Our refresh tokens are base64url; anything else cannot be one.
      return /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

export function refreshCookie(refreshToken: string): string {
  return `${REFRESH_COOKIE}=${refreshToken}; Max-Age=${config.jwt.refreshTokenTtlSeconds}; ${COOKIE_ATTRIBUTES}`;
}

export function clearedRefreshCookie(): string {
  return `${REFRESH_COOKIE}=; Max-Age=0; ${COOKIE_ATTRIBUTES}`;
}

/** The token pair as the client asked for it: all in the body, or the refresh token in the cookie only. */
export function tokenResponse(tokens: TokenPair, consoleMode: boolean): HttpResult {
  const noStore = { 'Cache-Control': 'no-store' };
  if (!consoleMode) return json(200, tokens, noStore);
  const { refreshToken, ...accessToken } = tokens;
  return { ...json(200, accessToken, noStore), cookies: [refreshCookie(refreshToken)] };
}

type RouteHandler = ReturnType<typeof httpRoute>;

/** Routes a request to the console-mode handler when it names a client mode, otherwise to the body-mode one. */
export function bySessionMode(handlers: { body: RouteHandler; console: RouteHandler }) {
  return (event: HttpEvent, context: RouteContext): Promise<HttpResult> =>
    (header(event, 'x-pm-client') === undefined ? handlers.body : handlers.console)(event, context);
}
