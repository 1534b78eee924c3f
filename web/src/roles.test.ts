import { describe, expect, test } from 'vitest';
import { homePath, mayOpen, navigationFor } from './roles';

describe('navigation by role', () => {
  test('an admin sees every area', () => {
    expect(navigationFor('admin').map((item) => item.label)).toEqual(['Patients', 'Analytics', 'Users', 'Audit']);
  });
  test('a clinician sees patients only, an analyst analytics only', () => {
    expect(navigationFor('clinician').map((item) => item.label)).toEqual(['Patients']);
    expect(navigationFor('analyst').map((item) => item.label)).toEqual(['Analytics']);
    expect(mayOpen('clinician', 'audit')).toBe(false);
    expect(mayOpen('analyst', 'patients')).toBe(false);
  });
  test('each role lands on the first page it may use', () => {
    expect(homePath('admin')).toBe('/patients');
    expect(homePath('clinician')).toBe('/patients');
    expect(homePath('analyst')).toBe('/analytics');
  });
});
