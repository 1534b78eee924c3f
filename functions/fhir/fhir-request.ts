/**
 * What a FHIR interaction receives and answers, independent of Lambda (as Medplum's fhir-router): the router
 * (fhir-routes.ts) turns an HTTP request into a FhirRequest and a FhirResponse back into HTTP.
 */
import type { Actor } from '../auth/access-token.js';
import type { Logger } from '../shared/logger.js';
import type { Caller } from '../patients/patients.service.js';

export interface FhirRequest {
  method: string;
  /** The path's parameters by name (`id`, `vid`). */
  params: Record<string, string>;
  /** Query (and, for POST _search, form body) parameters in order, repeats kept. */
  query: Array<[string, string]>;
  header: (name: string) => string | undefined;
  /** The parsed JSON body of a create or update. */
  body?: unknown;
  /** This server's FHIR base, e.g. `https://api.clinic.example/fhir/R4`: links and Location point under it. */
  baseUrl: string;
  /** Set on every interaction that needs a token. */
  actor?: Actor;
  caller?: Caller;
  log: Logger;
}

export interface FhirResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const FHIR_JSON = 'application/fhir+json';
