import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readBillingServerConfig } from './config.js';

const databaseUrl = 'postgres://billing@db:5432/billing';

describe('readBillingServerConfig', () => {
  test('turns reflection on when BILLING_REFLECTION is not set (local development)', () => {
    assert.equal(readBillingServerConfig({ BILLING_DATABASE_URL: databaseUrl }).reflection, true);
  });

  test('turns reflection off with BILLING_REFLECTION=false (the production task definition)', () => {
    assert.equal(readBillingServerConfig({ BILLING_DATABASE_URL: databaseUrl, BILLING_REFLECTION: 'false' }).reflection, false);
  });

  test('fails fast on a BILLING_REFLECTION that is neither true nor false', () => {
    assert.throws(() => readBillingServerConfig({ BILLING_DATABASE_URL: databaseUrl, BILLING_REFLECTION: 'no' }), /BILLING_REFLECTION must be "true" or "false"/);
  });

  test('fails fast without a database URL', () => {
    assert.throws(() => readBillingServerConfig({}), /BILLING_DATABASE_URL/);
  });
});
