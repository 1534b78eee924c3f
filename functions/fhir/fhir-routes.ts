/**
 * The one table of what /fhir/R4 serves. The router dispatches by it, checks each interaction's SMART scope by
 * it, and the CapabilityStatement (capability-statement.ts) is built from it: nothing is listed that is not
 * served, nothing served that is not listed.
 */
import type { FhirRequest, FhirResponse } from './fhir-request.js';
import * as patient from './patient-interactions.js';
import { matchPatients } from './patient-match-operation.js';
import { mergePatientsOperation } from './patient-merge-operation.js';
import { SCOPES, type Scope } from '../auth/scopes.js';
import type { FhirInteraction } from './smart-scopes.js';

export interface FhirRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path under the FHIR base; `:name` segments are parameters. */
  path: string;
  /** The FHIR interaction (CapabilityStatement `interaction.code`); public routes name what they are instead. */
  interaction: FhirInteraction | 'capabilities' | 'smart-configuration';
  resourceType?: 'Patient';
  /** A FHIR operation (`$match`): listed as an operation, its scope checked as `interaction`'s. */
  operation?: { name: string; definition: string };
  /** A staff scope needed beside the interaction's SMART scope ($merge: `patients:merge`, admin only). */
  requires?: Scope;
  /** Whether the request body is a resource (create, update) or a form (POST _search). */
  body?: 'resource' | 'form';
  handle: (request: FhirRequest) => Promise<FhirResponse>;
}

/** The public routes' answers are built in fhir.ts from this same table, so they are filled in there. */
export const PUBLIC_INTERACTIONS = ['capabilities', 'smart-configuration'] as const;

export const PATIENT_ROUTES: FhirRoute[] = [
  { method: 'GET', path: '/Patient', interaction: 'search-type', resourceType: 'Patient', handle: patient.searchType },
  { method: 'POST', path: '/Patient/_search', interaction: 'search-type', resourceType: 'Patient', body: 'form', handle: patient.searchType },
  { method: 'POST', path: '/Patient', interaction: 'create', resourceType: 'Patient', body: 'resource', handle: patient.create },
  {
    method: 'POST',
    path: '/Patient/$match',
    interaction: 'search-type',
    operation: { name: 'match', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-match' },
    resourceType: 'Patient',
    body: 'resource',
    handle: matchPatients,
  },
  {
    method: 'POST',
    path: '/Patient/$merge',
    interaction: 'update',
    operation: { name: 'merge', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-merge' },
    resourceType: 'Patient',
    requires: SCOPES.patientsMerge,
    body: 'resource',
    handle: mergePatientsOperation,
  },
  { method: 'GET', path: '/Patient/:id', interaction: 'read', resourceType: 'Patient', handle: patient.read },
  { method: 'PUT', path: '/Patient/:id', interaction: 'update', resourceType: 'Patient', body: 'resource', handle: patient.update },
  { method: 'DELETE', path: '/Patient/:id', interaction: 'delete', resourceType: 'Patient', handle: patient.remove },
  { method: 'GET', path: '/Patient/:id/_history', interaction: 'history-instance', resourceType: 'Patient', handle: patient.historyInstance },
  { method: 'GET', path: '/Patient/:id/_history/:vid', interaction: 'vread', resourceType: 'Patient', handle: patient.vread },
];

export interface RouteMatch {
  route: FhirRoute;
  params: Record<string, string>;
}

const segments = (path: string) => path.split('/').filter(Boolean);

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const wanted = segments(pattern);
  const actual = segments(path);
  if (wanted.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of wanted.entries()) {
    const value = actual[index] ?? '';
    if (part.startsWith(':')) params[part.slice(1)] = value;
    else if (part !== value) return undefined;
  }
  return params;
}

/** The route for a method and a path under the base; or the methods the path allows (405), or none (404). */
export function findRoute(routes: readonly FhirRoute[], method: string, path: string): RouteMatch | { allow: string[] } {
  const onPath = routes.flatMap((route) => {
    const params = matchPath(route.path, path);
    return params ? [{ route, params }] : [];
  });
  const found = onPath.find(({ route }) => route.method === method || (method === 'HEAD' && route.method === 'GET'));
  return found ?? { allow: [...new Set(onPath.map(({ route }) => route.method))] };
}
