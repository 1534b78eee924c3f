import { describe, expect, test } from 'vitest';
import { ApiError, fieldName, formErrors, toApiError } from './problem';

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

describe('toApiError', () => {
  test('reads Retry-After and ignores a body that is not a problem', () => {
    const response = new Response(null, { status: 503, headers: { 'Retry-After': '5' } });
    const error = toApiError(response, 'Service Unavailable');
    expect(error.status).toBe(503);
    expect(error.problem).toBeUndefined();
    expect(error.retryAfterSeconds).toBe(5);
  });
});
