import { describe, expect, test } from 'vitest';
import { homePath, may, mayOpen, navigationFor } from './roles';

// The scopes each role's token carries (functions/auth/scopes.ts).
const admin = { scopes: ['patients:read', 'patients:write', 'analytics:read', 'users:manage', 'audit:read', 'outbox:manage', 'patients:merge'] };
const clinician = { scopes: ['patients:read', 'patients:write'] };
const analyst = { scopes: ['analytics:read'] };

describe('navigation by scope', () => {
  test('an admin sees every area', () => {
    expect(navigationFor(admin).map((item) => item.label)).toEqual(['Patients', 'Duplicates', 'Analytics', 'Users', 'Audit']);
  });
  test('a clinician sees patients only, an analyst analytics only', () => {
    expect(navigationFor(clinician).map((item) => item.label)).toEqual(['Patients']);
    expect(navigationFor(analyst).map((item) => item.label)).toEqual(['Analytics']);
    expect(mayOpen(clinician, 'audit')).toBe(false);
    expect(mayOpen(clinician, 'merging')).toBe(false);
    expect(mayOpen(analyst, 'patients')).toBe(false);
  });
  test('only a token with patients:merge may merge', () => {
    expect(may(admin, 'patients:merge')).toBe(true);
    expect(may(clinician, 'patients:merge')).toBe(false);
  });
  test('each user lands on the first page they may use', () => {
    expect(homePath(admin)).toBe('/patients');
    expect(homePath(clinician)).toBe('/patients');
    expect(homePath(analyst)).toBe('/analytics');
  });
});
