import { config } from '../shared/config.js';
import { httpRoute, json } from '../shared/http.js';

/** Discovery document: API Gateway's JWT authorizer finds the JWKS through `issuer` + this path. */
export const handler = httpRoute({ scopes: false }, async () =>
  json(
    200,
    {
      issuer: config.jwt.issuer,
      jwks_uri: config.jwt.jwksUrl,
      token_endpoint: `${config.jwt.issuer}/auth/login`,
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['token'],
      subject_types_supported: ['public'],
    },
    { 'Cache-Control': 'public, max-age=300' },
  ),
);
