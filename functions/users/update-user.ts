import { SCOPES, type Role } from '../auth/scopes.js';
import { db } from '../shared/db.js';
import { httpRoute, json } from '../shared/http.js';
import { validateParameters } from '../shared/openapi.js';
import { updateUser } from './users.service.js';
import * as operations from '../shared/operations.js';

export const handler = httpRoute({ scopes: [SCOPES.usersManage], body: operations.updateUser }, async (event, context) => {
  const { path } = validateParameters(operations.updateUser, event);
  const user = await updateUser(db(), context.actor.sub, path.id as string, context.body as { disabled?: boolean; role?: Role });
  context.log.info({ userId: user.id, role: user.role, disabled: user.disabled }, 'user updated');
  return json(200, user);
});
