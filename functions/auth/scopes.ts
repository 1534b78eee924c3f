/** Roles and the scopes they grant. The gateway checks per-route scopes; handlers check again. */
export const ROLES = ['admin', 'clinician', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = {
  patientsRead: 'patients:read',
  patientsWrite: 'patients:write',
  analyticsRead: 'analytics:read',
  usersManage: 'users:manage',
  auditRead: 'audit:read',
  outboxManage: 'outbox:manage',
  /** The duplicate report, "Not a duplicate" decisions, merging and unmerging patients (admin). */
  patientsMerge: 'patients:merge',
} as const;
export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

const ALL_SCOPES = Object.values(SCOPES);

export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  admin: ALL_SCOPES,
  clinician: [SCOPES.patientsRead, SCOPES.patientsWrite],
  analyst: [SCOPES.analyticsRead],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * What our own scopes grant in SMART on FHIR v2 terms: permission letters (c r u d s) on Patient. The one mapping
 * between the two vocabularies; functions/fhir/smart-scopes.ts reads it.
 */
export const SMART_EQUIVALENTS: Readonly<Partial<Record<Scope, { resourceType: 'Patient'; permissions: string }>>> = {
  [SCOPES.patientsRead]: { resourceType: 'Patient', permissions: 'rs' },
  [SCOPES.patientsWrite]: { resourceType: 'Patient', permissions: 'cud' },
};
