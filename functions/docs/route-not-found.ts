import { methodNotAllowed, notFound } from '../shared/errors.js';
import { httpRoute } from '../shared/http.js';
import { openApiDocument } from '../shared/openapi.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** Documented paths as matchers, so a known path with the wrong method gets 405 and an Allow header. */
const routes = Object.entries(openApiDocument.paths as Record<string, Record<string, unknown>>).map(([template, operations]) => ({
  pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  allow: METHODS.filter((method) => method in operations).map((method) => method.toUpperCase()),
}));

/** Catch-all route: problem+json 404 for unknown paths, 405 for known paths with an unsupported method. */
export const handler = httpRoute({ scopes: false }, async (event) => {
  const path = event.rawPath ?? event.requestContext?.http?.path ?? '';
  const route = routes.find((candidate) => candidate.pattern.test(path));
  if (route) throw methodNotAllowed(route.allow);
  throw notFound('No such route.');
});
