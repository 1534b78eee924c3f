/**
 * FHIR's error answer: an OperationOutcome. This is the FHIR twin of shared/problem.ts — the one place that
 * turns any error into the response a FHIR client reads, with the same rule: 5xx details never reach the client.
 */
import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4.js';
import { AppError } from '../shared/errors.js';
import { toAppError } from '../shared/problem.js';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** The codes of http://hl7.org/fhir/ValueSet/issue-type (R4), so every outcome we build validates against R4 core. */
export const ISSUE_TYPES = [
  'invalid', 'structure', 'required', 'value', 'invariant', 'security', 'login', 'unknown', 'expired', 'forbidden',
  'suppressed', 'processing', 'not-supported', 'duplicate', 'multiple-matches', 'not-found', 'deleted', 'too-long',
  'code-invalid', 'extension', 'too-costly', 'business-rule', 'conflict', 'transient', 'lock-error', 'no-store',
  'exception', 'timeout', 'incomplete', 'throttled', 'informational',
] as const;
export type IssueType = (typeof ISSUE_TYPES)[number];

export interface Issue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  code: IssueType;
  diagnostics: string;
  /** FHIRPath-like locations, e.g. `Patient.name[0].family`, or a search parameter's name. */
  expression?: string[];
}

/** An error issue at one location: the common case for validation. */
export function issueAt(expression: string, code: IssueType, diagnostics: string): Issue {
  return { severity: 'error', code, diagnostics, expression: [expression] };
}

/** An error a FHIR module raises on purpose: its issues are meant for the client. */
export class FhirError extends Error {
  constructor(
    readonly status: number,
    readonly issues: Issue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(issues[0]?.diagnostics ?? `FHIR error ${status}`);
    this.name = 'FhirError';
  }
}

/** A 400 naming the query parameter at fault (searches, history, read's result parameters). */
export const badParameter = (parameter: string, code: IssueType, diagnostics: string) => new FhirError(400, [issueAt(parameter, code, diagnostics)]);

export function operationOutcome(issues: Issue[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    // R4 requires at least one issue; an empty list would be an invalid resource.
    issue: (issues.length > 0 ? issues : [{ severity: 'information', code: 'informational', diagnostics: 'All OK' } satisfies Issue])
      .map((issue): OperationOutcomeIssue => ({
        severity: issue.severity,
        code: issue.code,
        diagnostics: issue.diagnostics,
        ...(issue.expression && issue.expression.length > 0 ? { expression: issue.expression } : {}),
      })),
  };
}

/**
 * The issue type for an AppError's status. 409 is a `duplicate` when our code says a unique value is taken
 * (e.g. `email-taken`), else a `conflict`; 412 is a version conflict.
 */
function issueTypeOf(error: AppError): IssueType {
  switch (error.status) {
    case 400: return 'invalid';
    case 401: return 'login';
    case 403: return 'forbidden';
    case 404: return 'not-found';
    case 405: case 406: case 415: return 'not-supported';
    case 409: return error.code.endsWith('-taken') ? 'duplicate' : 'conflict';
    case 410: return 'deleted';
    case 412: return 'conflict';
    case 413: return 'too-costly';
    case 422: return MERGE_REFUSALS.has(error.code) ? 'business-rule' : 'processing';
    case 429: return 'throttled';
    case 503: return 'transient';
    default: return error.status >= 500 ? 'exception' : 'processing';
  }
}

/** Merges refused on the rules (patient-merge.service.ts): FHIR's `business-rule`. */
const MERGE_REFUSALS = new Set(['merge-self', 'already-merged', 'target-merged', 'merge-cycle', 'merge-deleted']);

export interface OutcomeResponse {
  status: number;
  headers: Record<string, string>;
  body: OperationOutcome;
}

export interface OutcomeOptions {
  /**
   * Turns an AppError's field (`/dateOfBirth`, `query.cursor`) into a FHIRPath expression for the issue; fields it
   * does not know (undefined) are kept as they are. patient-mapping.ts has the table for the Patient.
   */
  fieldExpression?: (field: string) => string | undefined;
}

const GENERIC_FAILURE = 'An unexpected error occurred; it has been logged.';

/** Any error → an OperationOutcome response with the status and headers problem+json would have had. */
export function toOperationOutcome(error: unknown, requestId: string, options: OutcomeOptions = {}): OutcomeResponse {
  const headers: Record<string, string> = { 'Content-Type': FHIR_JSON, 'X-Request-Id': requestId };
  if (error instanceof FhirError) {
    return { status: error.status, headers: { ...headers, ...error.headers }, body: operationOutcome(error.issues) };
  }
  const known = toAppError(error);
  if (!known) {
    // Never the error's own message: it can hold hosts, SQL or patient data. The request id finds it in the logs.
    const issue: Issue = { severity: 'fatal', code: 'exception', diagnostics: `${GENERIC_FAILURE} Request id: ${requestId}.` };
    return { status: 500, headers, body: operationOutcome([issue]) };
  }
  const code = issueTypeOf(known);
  const severity = known.status >= 500 ? 'fatal' : 'error';
  const diagnostics = known.expose ? known.message : `${GENERIC_FAILURE} Request id: ${requestId}.`;
  const fieldIssues = (known.errors ?? []).map((fieldError): Issue => {
    const expression = options.fieldExpression?.(fieldError.field) ?? fieldError.field;
    return { severity, code: code === 'invalid' ? 'value' : code, diagnostics: `${expression} ${fieldError.message}`, expression: [expression] };
  });
  const issues = fieldIssues.length > 0 ? fieldIssues : [{ severity, code, diagnostics } satisfies Issue];
  return { status: known.status, headers: { ...headers, ...known.headers }, body: operationOutcome(issues) };
}
