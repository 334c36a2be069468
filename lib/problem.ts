import type { IdempotencyError } from './errors.js';
import type { HttpResponse } from './http-response.js';

/** Prefix of every problem `type` URI; the code that follows is stable and documented. */
export const PROBLEM_TYPE_PREFIX = 'urn:idempotent-lambda:problem:';

/** Builds an RFC 9457 `application/problem+json` response for an idempotency error. */
export function problemResponse(error: IdempotencyError): HttpResponse {
  const headers: Record<string, string> = { 'Content-Type': 'application/problem+json' };
  if (error.retryAfterSeconds !== undefined) {
    headers['Retry-After'] = String(error.retryAfterSeconds);
  }

  const problem = {
    type: PROBLEM_TYPE_PREFIX + error.code,
    title: error.title,
    status: error.status,
    detail: error.message,
    code: error.code,
  };
  return { statusCode: error.status, headers, body: JSON.stringify(problem) };
}
