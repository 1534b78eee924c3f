/**
 * The CapabilityStatement (`GET /fhir/R4/metadata`) and the SMART configuration, both built from the route table
 * (fhir-routes.ts) and the search parameters the parser knows (search-params.ts), as Medplum's server builds its
 * own (packages/server/src/fhir/metadata.ts): what is listed is what is served.
 */
import { config } from '../shared/config.js';
import type { FhirRoute } from './fhir-routes.js';
import { REGISTERED_DATE_EXTENSION } from './patient-mapping.js';
import { PATIENT_SEARCH_PARAMETERS } from './search-params.js';
import { SUPPORTED_SCOPES } from './smart-scopes.js';

/** The software's release, shown in the CapabilityStatement; the date is when this statement's shape last changed. */
const SOFTWARE = { name: 'Patient Management', version: '0.1.0', releaseDate: '2026-12-07' };

const SEARCH_RESULT_PARAMETERS = [
  { name: '_count', type: 'number', documentation: 'Page size: default 20, at most 100.' },
  { name: '_sort', type: 'special', documentation: 'family, birthdate or _lastUpdated, each optionally with - for descending; comma-separated.' },
  { name: '_total', type: 'special', documentation: 'none (default) or accurate.' },
  { name: '_summary', type: 'special', documentation: 'count: the total only; true: the summary elements of each patient, tagged SUBSETTED; data and false: whole records.' },
  { name: '_elements', type: 'special', documentation: 'Patient element names, comma-separated: only those (with id and meta) in each patient, tagged SUBSETTED.' },
] as const;

export function capabilityStatement(routes: readonly FhirRoute[], baseUrl: string) {
  const served = (resourceType: string) => routes.filter((route) => route.resourceType === resourceType);
  const patientInteractions = [...new Set(served('Patient').filter((route) => !route.operation).map((route) => route.interaction))];
  const patientOperations = served('Patient').flatMap((route) => (route.operation ? [route.operation] : []));
  const conditionalCreate = served('Patient').some((route) => route.interaction === 'create');
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: SOFTWARE.releaseDate,
    publisher: 'Patient Management',
    kind: 'instance',
    software: SOFTWARE,
    implementation: { description: 'Patient Management FHIR R4 API', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        documentation: `Patients of the clinic. Medical record numbers are identifiers of the system ${config.patients.mrnSystem}; the date a patient was registered is the extension ${REGISTERED_DATE_EXTENSION} (valueDate). A patient must have a name, a full birthDate, one email and an address.`,
        security: {
          cors: false,
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }],
          description: `Bearer access tokens (OAuth 2.0). SMART scopes checked per interaction: ${SUPPORTED_SCOPES.join(', ')}; staff tokens: patients:read grants read and search, patients:write create, update and delete.`,
        },
        resource: [
          {
            type: 'Patient',
            profile: 'http://hl7.org/fhir/StructureDefinition/Patient',
            interaction: patientInteractions.map((code) => ({ code })),
            versioning: 'versioned-update',
            readHistory: true,
            updateCreate: false,
            conditionalCreate,
            conditionalRead: 'full-support',
            conditionalUpdate: false,
            conditionalDelete: 'not-supported',
            searchParam: [...PATIENT_SEARCH_PARAMETERS, ...SEARCH_RESULT_PARAMETERS].map(({ name, type, documentation }) => ({
              name,
              ...(name.startsWith('_') ? {} : { definition: `http://hl7.org/fhir/SearchParameter/${definitionOf(name)}` }),
              type,
              documentation,
            })),
            ...(patientOperations.length > 0 ? { operation: patientOperations } : {}),
          },
        ],
      },
    ],
  };
}

/** The core SearchParameter each of ours is (individual-* for those Patient shares with Person and Practitioner). */
function definitionOf(name: string): string {
  const shared = ['email', 'phone', 'telecom', 'family', 'given', 'birthdate', 'gender'];
  return shared.includes(name) ? `individual-${name}` : `Patient-${name}`;
}

/** SMART App Launch's `.well-known/smart-configuration`: where to get tokens and what they may say. */
export function smartConfiguration() {
  const issuer = config.jwt.issuer;
  return {
    issuer,
    jwks_uri: config.jwt.jwksUrl,
    token_endpoint: `${issuer}/auth/login`,
    grant_types_supported: ['password', 'refresh_token'],
    token_endpoint_auth_methods_supported: ['none'],
    scopes_supported: SUPPORTED_SCOPES,
    response_types_supported: ['token'],
    capabilities: ['permission-v1', 'permission-v2', 'permission-user', 'client-public'],
    code_challenge_methods_supported: ['S256'],
  };
}
