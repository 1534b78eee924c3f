import { db } from '../shared/db.js';
import { httpRoute, json, sourceIp } from '../shared/http.js';
import { login } from './auth.service.js';

interface LoginBody {
  email: string;
  password: string;
}

export const handler = httpRoute({ scopes: false, body: 'LoginRequest' }, async (event, context) => {
  const { email, password } = context.body as LoginBody;
  const tokens = await login(db(), { email, password, sourceIp: sourceIp(event) });
  return json(200, tokens, { 'Cache-Control': 'no-store' });
});
