import { SCOPES } from '../auth/scopes.js';
import { db } from '../shared/db.js';
import { httpRoute, json } from '../shared/http.js';
import { validateParameters } from '../shared/openapi.js';
import { listUsers } from './users.service.js';
import * as operations from '../shared/operations.js';

export const DEFAULT_PAGE_SIZE = 50;

export const handler = httpRoute({ scopes: [SCOPES.usersManage] }, async (event) => {
  const { query } = validateParameters(operations.listUsers, event);
  const page = await listUsers(db(), {
    cursor: query.cursor as string | undefined,
    limit: (query.limit as number | undefined) ?? DEFAULT_PAGE_SIZE,
  });
  return json(200, page, { 'Cache-Control': 'no-store' });
});
