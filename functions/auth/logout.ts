import { db } from '../shared/db.js';
import { httpRoute, noContent } from '../shared/http.js';
import { endSession, logout } from './auth.service.js';
import { bySessionMode, clearedRefreshCookie, isConsoleRequest, refreshTokenFromCookie } from './session-cookie.js';
import * as operations from '../shared/operations.js';

export const handler = bySessionMode({
  body: httpRoute({ scopes: [], body: operations.logout }, async (_event, context) => {
    const { refreshToken } = context.body as { refreshToken: string };
    await logout(db(), context.actor.sub, refreshToken);
    return noContent();
  }),
  // The console signs out of the whole sign-in (every rotation of the cookie's token) and drops the cookie.
  console: httpRoute({ scopes: [] }, async (event, context) => {
    isConsoleRequest(event);
    const refreshToken = refreshTokenFromCookie(event);
    if (refreshToken) await endSession(db(), context.actor.sub, refreshToken);
    return { ...noContent(), cookies: [clearedRefreshCookie()] };
  }),
});
