import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { OperationOutcome } from 'fhir/r4.js';
import {
  AppError, conflict, forbidden, methodNotAllowed, notFound, payloadTooLarge, preconditionFailed, serviceUnavailable,
  tooManyRequests, unauthorized, unsupportedMediaType, validationFailed,
} from '../shared/errors.js';
import { FhirError, ISSUE_TYPES, issueAt, operationOutcome, toOperationOutcome } from './operation-outcome.js';

/** What R4 core requires of every OperationOutcome: at least one issue, each with a known severity and issue-type code. */
function assertValidR4(outcome: OperationOutcome): void {
  assert.equal(outcome.resourceType, 'OperationOutcome');
  assert.ok(outcome.issue.length > 0);
  for (const issue of outcome.issue) {
    assert.ok(['fatal', 'error', 'warning', 'information'].includes(issue.severity), issue.severity);
    assert.ok((ISSUE_TYPES as readonly string[]).includes(issue.code), issue.code);
    if (issue.expression) assert.ok(issue.expression.length > 0 && issue.expression.every((e) => e.length > 0));
  }
}

const codeOf = (error: unknown) => toOperationOutcome(error, 'req-1').body.issue[0]?.code;

describe('OperationOutcome responses', () => {
  test('a FhirError keeps its status, issues and headers', () => {
    const error = new FhirError(400, [issueAt('Patient.birthDate', 'value', 'bad date')], { 'X-Extra': '1' });
    const response = toOperationOutcome(error, 'req-1');
    assert.equal(response.status, 400);
    assert.equal(response.headers['X-Extra'], '1');
    assert.equal(response.headers['Content-Type'], 'application/fhir+json; charset=utf-8');
    assert.deepEqual(response.body.issue, [{ severity: 'error', code: 'value', diagnostics: 'bad date', expression: ['Patient.birthDate'] }]);
  });

  test('an AppError keeps its status and headers', () => {
    const response = toOperationOutcome(tooManyRequests(42), 'req-1');
    assert.equal(response.status, 429);
    assert.equal(response.headers['Retry-After'], '42');
    assert.equal(response.body.issue[0]?.code, 'throttled');
  });

  test('each status maps to its FHIR issue type', () => {
    const cases: Array<[AppError, string]> = [
      [new AppError(400, 'bad-request', 'Bad request', 'x'), 'invalid'],
      [unauthorized(), 'login'],
      [forbidden(), 'forbidden'],
      [notFound(), 'not-found'],
      [methodNotAllowed(['GET']), 'not-supported'],
      [new AppError(406, 'not-acceptable', 'Not acceptable', 'x'), 'not-supported'],
      [conflict('email-taken', 'taken'), 'duplicate'],
      [conflict('not-parked', 'busy'), 'conflict'],
      [new AppError(410, 'gone', 'Gone', 'x'), 'deleted'],
      [preconditionFailed(), 'conflict'],
      [payloadTooLarge(10), 'too-costly'],
      [unsupportedMediaType(), 'not-supported'],
      [new AppError(422, 'unprocessable', 'Unprocessable', 'x'), 'processing'],
      [serviceUnavailable('busy'), 'transient'],
    ];
    for (const [error, code] of cases) assert.equal(codeOf(error), code, `status ${error.status}`);
  });

  test('field errors become one issue each, located by the field expression mapping', () => {
    const error = validationFailed([{ field: '/dateOfBirth', message: 'must not be in the future' }, { field: '/other', message: 'is odd' }]);
    const response = toOperationOutcome(error, 'r', { fieldExpression: (f) => (f === '/dateOfBirth' ? 'Patient.birthDate' : undefined) });
    assert.deepEqual(response.body.issue, [
      { severity: 'error', code: 'value', diagnostics: 'Patient.birthDate must not be in the future', expression: ['Patient.birthDate'] },
      { severity: 'error', code: 'value', diagnostics: '/other is odd', expression: ['/other'] },
    ]);
  });

  test('an unexpected error is a 500 whose details never reach the client', () => {
    const response = toOperationOutcome(new Error('connection to 10.0.0.5 failed for jane@example.org'), 'req-9');
    assert.equal(response.status, 500);
    assert.doesNotMatch(JSON.stringify(response.body), /10\.0\.0\.5|jane/);
    assert.match(response.body.issue[0]?.diagnostics ?? '', /req-9/);
  });

  test('an AppError whose message may not be shown keeps its status but not its message', () => {
    const response = toOperationOutcome(new AppError(502, 'upstream', 'Bad gateway', 'billing at 10.0.0.7 refused'), 'r');
    assert.equal(response.status, 502);
    assert.doesNotMatch(JSON.stringify(response.body), /10\.0\.0\.7/);
  });

  test('a database that is briefly away is a 503 transient issue', () => {
    const response = toOperationOutcome(Object.assign(new Error('too many clients'), { code: '53300' }), 'r');
    assert.equal(response.status, 503);
    assert.equal(response.body.issue[0]?.code, 'transient');
  });

  test('every outcome built here satisfies R4 core', () => {
    const errors: unknown[] = [
      new FhirError(400, [issueAt('name', 'not-supported', 'x')]), notFound(), validationFailed([{ field: '/email', message: 'bad' }]),
      new Error('boom'), serviceUnavailable('busy'), conflict('email-taken', 'taken'),
    ];
    for (const error of errors) assertValidR4(toOperationOutcome(error, 'r').body);
  });

  test('an outcome without issues still has one, as R4 requires', () => {
    assertValidR4(operationOutcome([]));
  });
});
