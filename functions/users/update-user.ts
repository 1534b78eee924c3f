import { SCOPES, type Role } from '../auth/scopes.js';
import { db } from '../shared/db.js';
import { validationFailed } from '../shared/errors.js';
import { httpRoute, json } from '../shared/http.js';
import { validateAgainst } from '../shared/openapi.js';
import { updateUser } from './users.service.js';

export const handler = httpRoute({ scopes: [SCOPES.usersManage], body: 'UserUpdate' }, async (event, context) => {
  const id = event.pathParameters?.id;
  const errors = validateAgainst('Uuid', id, 'path.id');
  if (errors.length > 0) throw validationFailed(errors);
  const user = await updateUser(db(), context.actor.sub, id as string, context.body as { disabled?: boolean; role?: Role });
  context.log.info({ userId: user.id, role: user.role, disabled: user.disabled }, 'user updated');
  return json(200, user);
});
