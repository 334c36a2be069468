import http from 'node:http';
import https from 'node:https';
import { SigV4Signer, type AwsCredentials } from './sigv4.js';
import { ConditionalCheckFailedError, type AttributeMap, type DynamoDBTransport, type StoreOperation } from './transport.js';

export type { AwsCredentials } from './sigv4.js';

export interface HttpTransportOptions {
  /** Default: `AWS_REGION`, else `AWS_DEFAULT_REGION`. */
  region?: string;
  /** Default: `AWS_ENDPOINT_URL_DYNAMODB`, else `AWS_ENDPOINT_URL`, else the regional DynamoDB endpoint. */
  endpoint?: string;
  /** Default: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, as Lambda sets them. */
  credentials?: AwsCredentials | (() => AwsCredentials);
  /** Attempts per call, including the first. Default 3. */
  maxAttempts?: number;
  /** Time limit of one attempt, in milliseconds. Default 2000. */
  attemptTimeoutMs?: number;
}

/** A DynamoDB error response other than a failed condition. */
export class DynamoDBRequestError extends Error {
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
    readonly retryable: boolean,
  ) {
    super(`DynamoDB ${code} (HTTP ${statusCode}): ${message}`);
    this.name = 'DynamoDBRequestError';
  }
}

/** An attempt that got no complete response within `attemptTimeoutMs`. */
export class DynamoDBTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`DynamoDB did not respond within ${timeoutMs} ms.`);
    this.name = 'TimeoutError';
  }
}

// Error codes DynamoDB documents as safe to retry with backoff.
const RETRYABLE_CODES = new Set([
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ThrottlingException',
  'InternalServerError',
  'ServiceUnavailable',
]);

const BASE_BACKOFF_MS = 25;

// One keep-alive agent per scheme for the whole execution environment, so warm invocations reuse the
// connection. Both modules are imported statically: in a CommonJS bundle, import() would start Node's
// ES module loader on the first call, which took about 8 ms of a cold start on the benchmark machine.
const protocols = {
  'http:': { request: http.request, agent: new http.Agent({ keepAlive: true }) },
  'https:': { request: https.request, agent: new https.Agent({ keepAlive: true }) },
};

type Protocol = (typeof protocols)['http:'];

function protocolOf(url: URL): Protocol {
  if (url.protocol === 'http:' || url.protocol === 'https:') return protocols[url.protocol];
  throw new TypeError(`DynamoDB endpoint ${url.href} must use http or https.`);
}

/**
 * Calls DynamoDB's JSON API with Node's own `http` and `https` modules, signing each request with
 * Signature Version 4. It loads neither the AWS SDK nor `fetch`'s implementation (undici, which Node 20
 * compiles on the first `fetch` call), so a cold start pays for a few kilobytes of code.
 * Throttling, server errors, network errors and timeouts are retried with jittered exponential backoff.
 */
export class HttpTransport implements DynamoDBTransport {
  private readonly signer = new SigV4Signer();
  private readonly maxAttempts: number;
  private readonly attemptTimeoutMs: number;

  constructor(private readonly options: HttpTransportOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 2000;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new TypeError(`HttpTransport maxAttempts must be an integer of at least 1, received ${String(options.maxAttempts)}.`);
    }
    if (!(this.attemptTimeoutMs > 0)) {
      throw new TypeError(`HttpTransport attemptTimeoutMs must be a positive number of milliseconds, received ${String(options.attemptTimeoutMs)}.`);
    }
  }

  async send(operation: StoreOperation, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const body = JSON.stringify(input, encodeBinary);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(operation, body);
      } catch (error) {
        if (attempt >= this.maxAttempts || !isRetryable(error)) throw error;
        await sleep(Math.random() * BASE_BACKOFF_MS * 2 ** attempt);
      }
    }
  }

  private async attempt(operation: StoreOperation, body: string): Promise<Record<string, unknown>> {
    const region = this.options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) {
      throw new TypeError('No AWS region for DynamoDB: set AWS_REGION or pass { transport: { region } }.');
    }
    const url = new URL(this.endpoint(region));
    const protocol = protocolOf(url);
    const headers = this.signer.sign({
      method: 'POST',
      host: url.host,
      path: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${operation}`,
      },
      body,
      region,
      service: 'dynamodb',
      credentials: this.credentials(),
    });

    const { statusCode, text } = await this.post(protocol, url, headers, body);
    const output = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (statusCode >= 200 && statusCode < 300) return output;

    // The error type arrives as "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException".
    const code = String(output.__type ?? 'UnknownError').split('#').pop() as string;
    if (code === 'ConditionalCheckFailedException') {
      throw new ConditionalCheckFailedError(output.Item as AttributeMap | undefined);
    }
    const message = String(output.message ?? output.Message ?? text);
    throw new DynamoDBRequestError(code, statusCode, message, statusCode >= 500 || RETRYABLE_CODES.has(code));
  }

  /** Sends one POST and reads the whole response, failing after `attemptTimeoutMs`. */
  private post(protocol: Protocol, url: URL, headers: Record<string, string>, body: string): Promise<{ statusCode: number; text: string }> {
    return new Promise((resolve, reject) => {
      const request = protocol.request(
        {
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port,
          path: '/',
          method: 'POST',
          agent: protocol.agent,
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body, 'utf8')) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', fail);
          response.on('end', () => {
            clearTimeout(timer);
            resolve({ statusCode: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      const timer = setTimeout(() => request.destroy(new DynamoDBTimeoutError(this.attemptTimeoutMs)), this.attemptTimeoutMs);
      function fail(error: Error): void {
        clearTimeout(timer);
        reject(error);
      }
      request.on('error', fail);
      request.end(body);
    });
  }

  private endpoint(region: string): string {
    return (
      this.options.endpoint ??
      process.env.AWS_ENDPOINT_URL_DYNAMODB ??
      process.env.AWS_ENDPOINT_URL ??
      `https://dynamodb.${region}.amazonaws.com`
    );
  }

  private credentials(): AwsCredentials {
    const configured = this.options.credentials;
    if (configured) return typeof configured === 'function' ? configured() : configured;

    const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = process.env;
    if (!AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY) {
      throw new TypeError(
        'No AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY). Lambda sets them; elsewhere set them, or pass new DynamoDBStore({ client: new DynamoDBClient() }).',
      );
    }
    return { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY, sessionToken: AWS_SESSION_TOKEN };
  }
}

/** Binary attributes travel as base64 text in DynamoDB's JSON API. */
function encodeBinary(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
}

function isRetryable(error: unknown): boolean {
  if (error instanceof DynamoDBRequestError) return error.retryable;
  if (error instanceof ConditionalCheckFailedError) return false;
  // A TypeError is a configuration error: a missing region or credentials, or an invalid endpoint URL.
  if (error instanceof TypeError) return false;
  // What remains is a network error (ECONNRESET, ECONNREFUSED, a stale keep-alive socket and the like),
  // a timeout, or a malformed response body.
  return true;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
