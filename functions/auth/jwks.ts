import { httpRoute, json } from '../shared/http.js';
import { publicJwks } from './signing-keys.js';

export const handler = httpRoute({ scopes: false }, async () =>
  json(200, publicJwks(), { 'Content-Type': 'application/jwk-set+json', 'Cache-Control': 'public, max-age=300' }),
);
