/**
 * What the signed-in user may open and do in the console: what their token's scopes allow (the API checks the same
 * scopes on every route; this only keeps the navigation and the buttons honest).
 */
import type { Identity } from './api/session';

export type Area = 'patients' | 'merging' | 'analytics' | 'users' | 'audit';

/** The scopes of functions/auth/scopes.ts the console asks about. */
export type Scope = 'patients:read' | 'patients:write' | 'patients:merge' | 'analytics:read' | 'users:manage' | 'audit:read';

/** The scope each area's routes need. */
const areaScopes: Record<Area, Scope> = {
  patients: 'patients:read',
  // The duplicate report and the merge view.
  merging: 'patients:merge',
  analytics: 'analytics:read',
  users: 'users:manage',
  audit: 'audit:read',
};

export const navigation: readonly { area: Area; label: string; path: string }[] = [
  { area: 'patients', label: 'Patients', path: '/patients' },
  { area: 'merging', label: 'Duplicates', path: '/duplicates' },
  { area: 'analytics', label: 'Analytics', path: '/analytics' },
  { area: 'users', label: 'Users', path: '/users' },
  { area: 'audit', label: 'Audit', path: '/audit' },
];

type Holder = Pick<Identity, 'scopes'>;

/** Whether the user may do what `scope` allows (merge patients: `patients:merge`). */
export const may = (user: Holder, scope: Scope): boolean => user.scopes.includes(scope);

export const mayOpen = (user: Holder, area: Area): boolean => may(user, areaScopes[area]);

export const navigationFor = (user: Holder) => navigation.filter((item) => mayOpen(user, item.area));

/** Where a user lands after signing in. */
export const homePath = (user: Holder): string => navigationFor(user)[0]?.path ?? '/patients';
