import { db } from '../shared/db.js';
import { httpRoute, noContent } from '../shared/http.js';
import { logout } from './auth.service.js';

export const handler = httpRoute({ scopes: [], body: 'LogoutRequest' }, async (_event, context) => {
  const { refreshToken } = context.body as { refreshToken: string };
  await logout(db(), context.actor.sub, refreshToken);
  return noContent();
});
