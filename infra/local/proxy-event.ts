import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { RouteMatch } from './routes.js';

/** Lambda timeout the runner reports through `getRemainingTimeInMillis`, matching API Gateway's 29 s limit. */
export const LOCAL_TIMEOUT_MS = 29_000;

/** Derives a stable API key id from an API key, as API Gateway gives every key an id of its own. */
export function apiKeyIdFor(apiKey: string): string {
  return `local-${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;
}

/** Turns an HTTP request into the API Gateway REST API proxy event a Lambda function receives. */
export function toProxyEvent(request: IncomingMessage, url: URL, body: Buffer, match: RouteMatch): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] as string;
    const value = request.rawHeaders[i + 1] as string;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }

  const query: Record<string, string> = {};
  const multiValueQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    (multiValueQuery[name] ??= []).push(value);
  }

  const apiKey = request.headers['x-api-key'];
  const identityKey = typeof apiKey === 'string' ? apiKey : null;
  const method = request.method ?? 'GET';
  // API Gateway passes text bodies as they are and other bodies base64-encoded.
  const isText = isUtf8(body);
  let eventBody: string | null = null;
  if (body.length > 0) eventBody = isText ? body.toString('utf8') : body.toString('base64');

  return {
    resource: match.route.resource,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: url.searchParams.size > 0 ? query : null,
    multiValueQueryStringParameters: url.searchParams.size > 0 ? multiValueQuery : null,
    pathParameters: match.pathParameters,
    stageVariables: null,
    body: eventBody,
    isBase64Encoded: !isText,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      // The runner has no stage prefix, like a custom domain mapped to the stage.
      path: url.pathname,
      stage: 'local',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: match.route.resource,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: identityKey,
        apiKeyId: identityKey === null ? null : apiKeyIdFor(identityKey),
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        user: null,
        userAgent: request.headers['user-agent'] ?? null,
        userArn: null,
      },
    },
  };
}

/** Builds the Lambda context of one invocation, with a deadline `LOCAL_TIMEOUT_MS` from now. */
export function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + LOCAL_TIMEOUT_MS;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
