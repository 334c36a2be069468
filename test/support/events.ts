import type { Context } from 'aws-lambda';

export interface RequestInit {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  /** API Gateway API key id, left out when `null`. Default `key-id-1`. */
  apiKeyId?: string | null;
  /** API Gateway API key, left out when `null`. Default `api-key-1`. */
  apiKey?: string | null;
  /** Lambda authorizer principal, in `requestContext.authorizer.principalId`. Default: no authorizer. */
  principalId?: string;
}

/** Builds an API Gateway REST API (v1) proxy event, with both header maps as API Gateway sends them. */
export function restEvent(init: RequestInit = {}): Record<string, unknown> {
  const headers = { 'Content-Type': 'application/json', ...init.headers };
  return {
    resource: init.path ?? '/v1/posts',
    path: init.path ?? '/v1/posts',
    httpMethod: init.method ?? 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      requestId: `request-${Math.random()}`,
      httpMethod: init.method ?? 'POST',
      path: `/prod${init.path ?? '/v1/posts'}`,
      identity: {
        apiKeyId: init.apiKeyId === undefined ? 'key-id-1' : init.apiKeyId,
        apiKey: init.apiKey === undefined ? 'api-key-1' : init.apiKey,
        sourceIp: '127.0.0.1',
      },
      ...(init.principalId === undefined ? {} : { authorizer: { principalId: init.principalId } }),
    },
    body: init.body ?? '{"text":"hello"}',
    isBase64Encoded: init.isBase64Encoded ?? false,
  };
}

/** Builds an HTTP API (v2) event; function URL events have the same shape. */
export function httpApiEvent(init: RequestInit = {}): Record<string, unknown> {
  const headers = Object.fromEntries(
    Object.entries({ 'content-type': 'application/json', ...init.headers }).map(([name, value]) => [name.toLowerCase(), value]),
  );
  return {
    version: '2.0',
    routeKey: `${init.method ?? 'POST'} ${init.path ?? '/v1/posts'}`,
    rawPath: init.path ?? '/v1/posts',
    rawQueryString: '',
    headers,
    requestContext: {
      http: { method: init.method ?? 'POST', path: init.path ?? '/v1/posts', sourceIp: '127.0.0.1' },
      requestId: `request-${Math.random()}`,
    },
    body: init.body ?? '{"text":"hello"}',
    isBase64Encoded: init.isBase64Encoded ?? false,
  };
}

/** Builds a Lambda function URL event: the HTTP API (v2) shape, with the function URL's request context. */
export function functionUrlEvent(init: RequestInit = {}): Record<string, unknown> {
  const event = httpApiEvent(init);
  return {
    ...event,
    routeKey: '$default',
    requestContext: {
      ...(event.requestContext as Record<string, unknown>),
      routeKey: '$default',
      domainName: 'abcdefghijklmnop.lambda-url.us-east-1.on.aws',
      apiId: 'abcdefghijklmnop',
    },
  };
}

/** Builds an ALB event, with single-value headers or, with `multiValue`, only multi-value headers. */
export function albEvent(init: RequestInit = {}, multiValue = false): Record<string, unknown> {
  const headers = Object.fromEntries(
    Object.entries({ 'content-type': 'application/json', ...init.headers }).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const event: Record<string, unknown> = {
    requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1' } },
    httpMethod: init.method ?? 'POST',
    path: init.path ?? '/v1/posts',
    body: init.body ?? '{"text":"hello"}',
    isBase64Encoded: init.isBase64Encoded ?? false,
  };
  if (multiValue) {
    event.multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));
  } else {
    event.headers = headers;
  }
  return event;
}

/** Builds a Lambda context whose remaining time is `remainingMs`. */
export function lambdaContext(remainingMs = 30_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'test-function',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-function',
    memoryLimitInMB: '128',
    awsRequestId: `aws-request-${Math.random()}`,
    logGroupName: '/aws/lambda/test-function',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Creates a logger that keeps every line, so tests can assert on outcomes. */
export function memoryLogger() {
  const lines: Array<{ level: string; message: string } & Record<string, unknown>> = [];
  const write = (level: string) => (message: string, fields: Record<string, unknown>) => {
    lines.push({ level, message, ...fields });
  };
  return { lines, info: write('info'), warn: write('warn'), error: write('error') };
}
