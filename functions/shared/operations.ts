/**
 * The API's operations by openapi.yaml `operationId`, each with its request validators (generated at build
 * time, see openapi.ts). Import it as a namespace, `import * as operations from '../shared/operations.js'`,
 * and name one operation (`operations.getPatient`): each function then bundles only its own validators.
 */
export * from './generated/openapi-operations.js';
