import { db } from '../shared/db.js';
import { httpRoute, json } from '../shared/http.js';
import { refresh } from './auth.service.js';

export const handler = httpRoute({ scopes: false, body: 'RefreshRequest' }, async (_event, context) => {
  const { refreshToken } = context.body as { refreshToken: string };
  return json(200, await refresh(db(), refreshToken), { 'Cache-Control': 'no-store' });
});
