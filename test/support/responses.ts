/** A response as the tests read it: any of the Lambda HTTP response shapes. */
export interface TestResponse {
  statusCode: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body?: string;
  isBase64Encoded?: boolean;
  cookies?: string[];
  statusDescription?: string;
}

/** The fields of an RFC 9457 problem response body. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
}

/** Parses the problem document in a response body. */
export function readProblem(response: TestResponse): Problem {
  return JSON.parse(response.body ?? '') as Problem;
}

/** Builds the 201 response of a handler that creates a post. */
export function createdResponse(body: unknown = { id: 'post-1' }): TestResponse {
  return { statusCode: 201, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}
