import { createUser } from '../auth/auth.service.js';
import { SCOPES, type Role } from '../auth/scopes.js';
import { db } from '../shared/db.js';
import { httpRoute, json } from '../shared/http.js';
import { toUser } from './users.service.js';
import * as operations from '../shared/operations.js';

export const handler = httpRoute({ scopes: [SCOPES.usersManage], body: operations.createUser }, async (_event, context) => {
  const user = toUser(await createUser(db(), context.body as { email: string; password: string; role: Role }));
  context.log.info({ userId: user.id, role: user.role }, 'user created');
  return json(201, user, { Location: `/api/users/${user.id}` });
});
