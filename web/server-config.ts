/**
 * How the console is served on one origin with the API: the paths that go to the API, and the security
 * headers every console response carries (the built console has no inline scripts, so the policy allows none;
 * Mantine sets styles at run time, hence style-src 'unsafe-inline').
 */
import type { ProxyOptions } from 'vite';

export const apiPaths = ['/api', '/auth', '/.well-known'] as const;

/**
 * Proxy options for the API paths. The API accepts console sessions only from its own origin (the `Origin`
 * check of functions/auth/session-cookie.ts); locally the console's server is that one origin's front door,
 * so a request from the console's own page is passed on as coming from the API's origin. Any other `Origin`
 * (a cross-site page) is passed on unchanged and refused by the API.
 */
export function apiProxy(target: string): Record<string, ProxyOptions> {
  const apiOrigin = new URL(target).origin;
  const options: ProxyOptions = {
    target,
    changeOrigin: false,
    xfwd: true,
    configure(proxy) {
      proxy.on('proxyReq', (proxyRequest, request) => {
        const origin = request.headers.origin;
        if (origin !== undefined && origin === `http://${request.headers.host}`) proxyRequest.setHeader('origin', apiOrigin);
      });
    },
  };
  return Object.fromEntries(apiPaths.map((prefix) => [prefix, options]));
}

export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers without the policy: the dev server's React refresh needs an inline script. */
export const baseSecurityHeaders = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

export const securityHeaders = { ...baseSecurityHeaders, 'Content-Security-Policy': contentSecurityPolicy };
