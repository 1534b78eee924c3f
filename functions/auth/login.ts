import { db } from '../shared/db.js';
import { httpRoute, sourceIp } from '../shared/http.js';
import { login } from './auth.service.js';
import { isConsoleRequest, tokenResponse } from './session-cookie.js';
import * as operations from '../shared/operations.js';

interface LoginBody {
  email: string;
  password: string;
}

export const handler = httpRoute({ scopes: false, body: operations.login }, async (event, context) => {
  const consoleMode = isConsoleRequest(event);
  const { email, password } = context.body as LoginBody;
  const tokens = await login(db(), { email, password, sourceIp: sourceIp(event) });
  return tokenResponse(tokens, consoleMode);
});
