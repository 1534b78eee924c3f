import { describe, expect, test } from 'vitest';
import { ApiError, fieldName, formErrors, problemCode, toApiError } from './problem';

const patientFields = ['name', 'email', 'address', 'dateOfBirth', 'registeredDate'] as const;

describe('fieldName', () => {
  test('takes the first segment of a JSON pointer', () => {
    expect(fieldName('/email')).toBe('email');
    expect(fieldName('/lineItems/0/description')).toBe('lineItems');
    expect(fieldName('/a~1b')).toBe('a/b');
  });
  test('takes the name of a query or path parameter', () => {
    expect(fieldName('query.birthdate')).toBe('birthdate');
    expect(fieldName('path.id')).toBe('id');
  });
});

describe('formErrors', () => {
  test('puts each field error on the field it names', () => {
    const error = new ApiError(400, {
      title: 'Bad Request',
      errors: [
        { field: '/email', message: 'must be an email address' },
        { field: '/dateOfBirth', message: 'must not be in the future' },
      ],
    });
    expect(formErrors(error, patientFields)).toEqual({
      fields: { email: 'must be an email address', dateOfBirth: 'must not be in the future' },
    });
  });

  test('keeps the first message of a field and reports fields the form lacks as a general message', () => {
    const error = new ApiError(400, {
      errors: [
        { field: '/name', message: 'first' },
        { field: '/name', message: 'second' },
        { field: '/nickname', message: 'must not be present' },
      ],
    });
    expect(formErrors(error, patientFields)).toEqual({ fields: { name: 'first' }, message: 'must not be present' });
  });

  test('a 409 without field errors lands on the conflict field', () => {
    const error = new ApiError(409, { title: 'Conflict', detail: 'A patient with this email already exists.' });
    expect(formErrors(error, patientFields, 'email')).toEqual({ fields: { email: 'A patient with this email already exists.' } });
  });

  test('a 409 goes on the field its problem code is about', () => {
    const conflicts = { 'email-taken': 'email', 'identifier-taken': 'identifiers' } as const;
    const taken = (code: string, detail: string) => new ApiError(409, { type: `https://patient-management.dev/problems/${code}`, title: 'Conflict', detail });
    const fields = [...patientFields, 'identifiers'] as const;
    expect(formErrors(taken('identifier-taken', 'Another patient already has one of these identifiers.'), fields, conflicts)).toEqual({
      fields: { identifiers: 'Another patient already has one of these identifiers.' },
    });
    expect(formErrors(taken('email-taken', 'Another patient already uses this email.'), fields, conflicts)).toEqual({
      fields: { email: 'Another patient already uses this email.' },
    });
    expect(formErrors(taken('something-else', 'Some other conflict.'), fields, conflicts)).toEqual({ fields: {}, message: 'Some other conflict.' });
  });

  test('an error inside a list goes on the most specific field of the form it reaches', () => {
    const fields = ['name', 'identifiers', 'identifiers.*', 'identifiers.*.system', 'identifiers.*.value'] as const;
    const error = new ApiError(400, {
      errors: [
        { field: '/identifiers/1/value', message: 'must not be blank' },
        { field: '/identifiers/0', message: 'is listed twice' },
        { field: '/identifiers', message: 'must have at most 20 items' },
        { field: '/identifiers/0/extension', message: 'must not be present' },
      ],
    });
    expect(formErrors(error, fields)).toEqual({
      fields: { 'identifiers.1.value': 'must not be blank', 'identifiers.0': 'is listed twice', identifiers: 'must have at most 20 items' },
    });
  });

  test('a form without fields for the items of a list takes their errors on the list', () => {
    const error = new ApiError(400, { errors: [{ field: '/lineItems/0/description', message: 'must not be blank' }] });
    expect(formErrors(error, ['lineItems'] as const)).toEqual({ fields: { lineItems: 'must not be blank' } });
  });

  test('a 409 without a conflict field is a general message', () => {
    const error = new ApiError(409, { title: 'Conflict', detail: 'Idempotency key reused.' });
    expect(formErrors(error, patientFields)).toEqual({ fields: {}, message: 'Idempotency key reused.' });
  });

  test('statuses without a detail get a message people can act on', () => {
    expect(formErrors(new ApiError(503, undefined), patientFields).message).toMatch(/temporarily unavailable/);
    expect(formErrors(new ApiError(403, undefined), patientFields).message).toMatch(/role/);
  });

  test('a network failure is not blamed on a field', () => {
    expect(formErrors(new TypeError('Failed to fetch'), patientFields)).toEqual({
      fields: {},
      message: expect.stringMatching(/could not be reached/),
    });
  });
});

describe('problemCode', () => {
  test('is the last segment of the problem type', () => {
    expect(problemCode({ type: 'https://patient-management.dev/problems/identifier-taken' })).toBe('identifier-taken');
    expect(problemCode({ title: 'Conflict' })).toBeUndefined();
    expect(problemCode(undefined)).toBeUndefined();
  });
});

describe('toApiError', () => {
  test('reads Retry-After and ignores a body that is not a problem', () => {
    const response = new Response(null, { status: 503, headers: { 'Retry-After': '5' } });
    const error = toApiError(response, 'Service Unavailable');
    expect(error.status).toBe(503);
    expect(error.problem).toBeUndefined();
    expect(error.retryAfterSeconds).toBe(5);
  });
});
