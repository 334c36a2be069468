import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/** Builds a JSON response. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** Builds an RFC 9457 problem response with a stable `code`. */
export function problem(statusCode: number, code: string, title: string, detail: string): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/problem+json' },
    body: JSON.stringify({ type: `urn:posting-api:problem:${code}`, title, status: statusCode, detail, code }),
  };
}

/**
 * Returns the caller's API key id, which owns their posts. API Gateway only invokes these functions for
 * requests with a valid API key, so a missing id means a misconfigured route.
 */
export function callerId(event: APIGatewayProxyEvent): string | undefined {
  return event.requestContext?.identity?.apiKeyId ?? undefined;
}

export function forbidden(): APIGatewayProxyResult {
  return problem(403, 'forbidden', 'Forbidden', 'This route requires an API key; send it in the x-api-key header.');
}

/**
 * Returns the path the client requested. On API Gateway's default endpoint that path starts with the stage
 * (`/prod/v1/posts`), which `event.path` leaves out, so links built from it resolve for the client.
 */
export function clientPath(event: APIGatewayProxyEvent): string {
  return event.requestContext?.path ?? event.path;
}

/** Decodes the request body to text, base64-decoding it when API Gateway marked it so. */
export function bodyText(event: APIGatewayProxyEvent): string {
  if (event.body === null || event.body === undefined) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}
