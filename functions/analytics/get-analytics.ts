import { SCOPES } from '../auth/scopes.js';
import { db } from '../shared/db.js';
import { httpRoute, json } from '../shared/http.js';
import { getAnalytics } from './analytics.service.js';

export const handler = httpRoute({ scopes: [SCOPES.analyticsRead] }, async () => json(200, await getAnalytics(db())));
