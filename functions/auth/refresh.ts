import { db } from '../shared/db.js';
import { invalidRefreshToken } from '../shared/errors.js';
import { httpRoute } from '../shared/http.js';
import { refresh } from './auth.service.js';
import { bySessionMode, isConsoleRequest, refreshTokenFromCookie, tokenResponse } from './session-cookie.js';

export const handler = bySessionMode({
  body: httpRoute({ scopes: false, body: 'RefreshRequest' }, async (_event, context) => {
    const { refreshToken } = context.body as { refreshToken: string };
    return tokenResponse(await refresh(db(), refreshToken), false);
  }),
  // The refresh token comes from the cookie; a body, if any, is ignored.
  console: httpRoute({ scopes: false }, async (event) => {
    isConsoleRequest(event);
    const refreshToken = refreshTokenFromCookie(event);
    if (!refreshToken) throw invalidRefreshToken();
    return tokenResponse(await refresh(db(), refreshToken), true);
  }),
});
