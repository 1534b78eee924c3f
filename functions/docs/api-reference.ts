import redocPage from '../../docs/api.html';
import { httpRoute } from '../shared/http.js';

/** The Redoc page built from openapi.yaml by `npm run docs` (self-contained HTML, bundled as text). */
export const handler = httpRoute({ scopes: false }, async () => ({
  statusCode: 200,
  headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'public, max-age=300' },
  body: redocPage,
}));
