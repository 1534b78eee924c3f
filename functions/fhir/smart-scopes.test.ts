import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { permits, SUPPORTED_SCOPES, type FhirInteraction } from './smart-scopes.js';

const allows = (scope: string, interaction: FhirInteraction) => permits(new Set([scope]), 'Patient', interaction);

describe('SMART on FHIR scopes', () => {
  test('a v2 scope grants exactly its letters', () => {
    assert.ok(allows('user/Patient.rs', 'read'));
    assert.ok(allows('user/Patient.rs', 'search-type'));
    assert.ok(!allows('user/Patient.rs', 'create'));
    assert.ok(!allows('user/Patient.rs', 'update'));
    assert.ok(!allows('user/Patient.rs', 'delete'));
  });

  test('read, vread and instance history all need r', () => {
    for (const interaction of ['read', 'vread', 'history-instance'] as const) {
      assert.ok(allows('user/Patient.r', interaction));
      assert.ok(!allows('user/Patient.s', interaction));
    }
  });

  test('create, update and delete need c, u and d', () => {
    assert.ok(allows('system/Patient.c', 'create'));
    assert.ok(allows('system/Patient.u', 'update'));
    assert.ok(allows('system/Patient.d', 'delete'));
    assert.ok(!allows('system/Patient.c', 'update'));
  });

  test('v2 letters out of order are not a scope', () => {
    assert.ok(!allows('user/Patient.sr', 'read'));
  });

  test('the wildcard resource covers Patient', () => {
    assert.ok(allows('user/*.cruds', 'delete'));
  });

  test('v1 read grants read and search, write grants create, update and delete, * grants all', () => {
    assert.ok(allows('user/Patient.read', 'search-type'));
    assert.ok(!allows('user/Patient.read', 'update'));
    assert.ok(allows('user/Patient.write', 'update'));
    assert.ok(!allows('user/Patient.write', 'read'));
    assert.ok(allows('user/Patient.*', 'delete'));
  });

  test('patient-context scopes are not honoured, since there is no launch context', () => {
    assert.ok(!allows('patient/Patient.rs', 'read'));
    assert.ok(!allows('patient/*.read', 'read'));
  });

  test('granular scopes with a query restriction grant nothing', () => {
    assert.ok(!allows('user/Patient.rs?gender=female', 'read'));
  });

  test('scopes for other resource types do not grant Patient', () => {
    assert.ok(!allows('user/Observation.rs', 'read'));
  });

  test('our patients:read grants read and search only', () => {
    assert.ok(allows('patients:read', 'read'));
    assert.ok(allows('patients:read', 'search-type'));
    assert.ok(!allows('patients:read', 'create'));
  });

  test('our patients:write grants create, update and delete only', () => {
    assert.ok(allows('patients:write', 'create'));
    assert.ok(allows('patients:write', 'update'));
    assert.ok(allows('patients:write', 'delete'));
    assert.ok(!allows('patients:write', 'read'));
  });

  test('any one of several scopes is enough', () => {
    assert.ok(permits(new Set(['analytics:read', 'user/Patient.s']), 'Patient', 'search-type'));
  });

  test('no scopes grant nothing', () => {
    assert.ok(!permits(new Set(), 'Patient', 'read'));
  });

  test('every supported scope grants something', () => {
    for (const scope of SUPPORTED_SCOPES) {
      const interactions = ['read', 'search-type', 'create', 'update', 'delete'] as const;
      assert.ok(interactions.some((i) => allows(scope, i)), scope);
    }
  });
});
