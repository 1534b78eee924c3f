/**
 * openapi.yaml's `components.schemas`, each as data, for the few rules checked outside a body or a URL
 * (e.g. a header's pattern). Import it as a namespace, `import * as schemas from '../shared/schemas.js'`,
 * and name one schema: a function then bundles only that one, not the whole document.
 */
export * from './generated/openapi-components.js';
