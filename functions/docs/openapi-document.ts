import { httpRoute, json } from '../shared/http.js';
import { openApiDocument } from '../shared/openapi.js';

export const handler = httpRoute({ scopes: false }, async () => json(200, openApiDocument, { 'Cache-Control': 'public, max-age=300' }));
