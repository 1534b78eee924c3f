import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeAwsCommand } from './emulator.js';

describe('an aws command as an error message shows it', () => {
  test('hides the value of --secret-string (the SCRAM credentials) and keeps everything else', () => {
    const secret = JSON.stringify({ username: 'outbox-relay', password: 's3cr3t-pa55' });
    const shown = describeAwsCommand(['secretsmanager', 'create-secret', '--name', 'kafka-scram', '--secret-string', secret]);
    assert.equal(shown, 'secretsmanager create-secret --name kafka-scram --secret-string <redacted>');
    assert.equal(shown.includes('s3cr3t-pa55'), false);
  });

  test('leaves a command without secrets as it is', () => {
    assert.equal(describeAwsCommand(['cloudformation', 'wait', 'stack-create-complete']), 'cloudformation wait stack-create-complete');
  });
});
