/**
 * SMART on FHIR scopes (App Launch 2.x), checked per interaction. Granted: `user/` and `system/` scopes on Patient
 * or `*`, in v2 letters (`user/Patient.rs`) or v1 words (`user/Patient.read`, `.write`, `.*`), and our own staff
 * scopes through SMART_EQUIVALENTS (auth/scopes.ts).
 * Not honoured, so they grant nothing:
 * - `patient/` scopes: they limit access to the launch context's patient, and we have no launch context; treating
 *   them as `user/` would grant every patient.
 * - v2 scopes with a `?query` restriction (granular scopes): we cannot enforce the restriction, so granting the
 *   scope would grant more than it says.
 */
import { SMART_EQUIVALENTS, type Scope } from '../auth/scopes.js';

export type FhirInteraction = 'read' | 'vread' | 'history-instance' | 'search-type' | 'create' | 'update' | 'delete';

const LETTER_FOR: Readonly<Record<FhirInteraction, string>> = {
  read: 'r', vread: 'r', 'history-instance': 'r', 'search-type': 's', create: 'c', update: 'u', delete: 'd',
};

/** v1 permission words in v2 letters. */
const V1_PERMISSIONS: Readonly<Record<string, string>> = { read: 'rs', write: 'cud', '*': 'cruds' };

// `<context>/<resource>.<permissions>`; v2 letters must be a non-empty subset of c r u d s in that order.
const SMART_SCOPE = /^(user|system)\/(Patient|\*)\.(c?r?u?d?s?|read|write|\*)$/;

/** The permission letters one scope grants on `resourceType` ('' for none). */
function lettersOf(scope: string, resourceType: 'Patient'): string {
  const own = SMART_EQUIVALENTS[scope as Scope];
  if (own) return own.resourceType === resourceType ? own.permissions : '';
  const match = SMART_SCOPE.exec(scope);
  if (!match) return '';
  const [, , resource, permissions = ''] = match;
  if (resource !== resourceType && resource !== '*') return '';
  return V1_PERMISSIONS[permissions] ?? permissions;
}

export function permits(scopes: ReadonlySet<string>, resourceType: 'Patient', interaction: FhirInteraction): boolean {
  const letter = LETTER_FOR[interaction];
  for (const scope of scopes) if (lettersOf(scope, resourceType).includes(letter)) return true;
  return false;
}

/** For the smart-configuration document's `scopes_supported`: the scopes this server honours (a representative list). */
export const SUPPORTED_SCOPES: string[] = [
  ...['user', 'system'].flatMap((context) => ['cruds', 'rs', 'cud', 'read', 'write', '*'].map((p) => `${context}/Patient.${p}`)),
  ...['user', 'system'].flatMap((context) => ['cruds', 'rs'].map((p) => `${context}/*.${p}`)),
  ...Object.keys(SMART_EQUIVALENTS),
];
