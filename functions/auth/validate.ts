import { httpRoute, json } from '../shared/http.js';

/** The seed's token check: 200 for a valid access token, 401 (from the chain) otherwise. */
export const handler = httpRoute({ scopes: [] }, async (_event, context) =>
  json(200, { valid: true, sub: context.actor.sub, role: context.actor.role, scope: [...context.actor.scopes].join(' ') }),
);
