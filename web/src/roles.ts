/** What each role may open in the console (the API enforces the same; this only keeps the navigation honest). */
import type { Role } from './api/session';

export type Area = 'patients' | 'analytics' | 'users' | 'audit';

const areasByRole: Record<Role, readonly Area[]> = {
  admin: ['patients', 'analytics', 'users', 'audit'],
  clinician: ['patients'],
  analyst: ['analytics'],
};

export const navigation: readonly { area: Area; label: string; path: string }[] = [
  { area: 'patients', label: 'Patients', path: '/patients' },
  { area: 'analytics', label: 'Analytics', path: '/analytics' },
  { area: 'users', label: 'Users', path: '/users' },
  { area: 'audit', label: 'Audit', path: '/audit' },
];

export const mayOpen = (role: Role, area: Area): boolean => areasByRole[role].includes(area);

export const navigationFor = (role: Role) => navigation.filter((item) => mayOpen(role, item.area));

/** Where a role lands after signing in. */
export const homePath = (role: Role): string => navigationFor(role)[0]?.path ?? '/patients';
