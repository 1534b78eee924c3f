import { db } from '../shared/db.js';
import { AppError, invalidRefreshToken } from '../shared/errors.js';
import { httpRoute } from '../shared/http.js';
import { problemResponse } from '../shared/problem.js';
import { refresh } from './auth.service.js';
import { bySessionMode, clearedRefreshCookie, isConsoleRequest, refreshTokenFromCookie, tokenResponse } from './session-cookie.js';
import * as operations from '../shared/operations.js';

export const handler = bySessionMode({
  body: httpRoute({ scopes: false, body: operations.refreshToken }, async (_event, context) => {
    const { refreshToken } = context.body as { refreshToken: string };
    return tokenResponse(await refresh(db(), refreshToken), false);
  }),
  // The refresh token comes from the cookie; a body, if any, is ignored.
  console: httpRoute({ scopes: false }, async (event, context) => {
    isConsoleRequest(event);
    try {
      const refreshToken = refreshTokenFromCookie(event);
      if (!refreshToken) throw invalidRefreshToken();
      return tokenResponse(await refresh(db(), refreshToken), true);
    } catch (error) {
      // A cookie that can no longer refresh is dropped, so the browser stops sending it.
      if (error instanceof AppError && error.status === 401) {
        return { ...problemResponse(error, context.requestId), cookies: [clearedRefreshCookie()] };
      }
      throw error;
    }
  }),
});
