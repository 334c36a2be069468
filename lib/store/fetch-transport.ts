import { AwsV4Signer } from 'aws4fetch';
import { ConditionalCheckFailedError, type AttributeMap, type DynamoDBTransport, type StoreOperation } from './transport.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface FetchTransportOptions {
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

// Error codes DynamoDB documents as safe to retry with backoff.
const RETRYABLE_CODES = new Set([
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ThrottlingException',
  'InternalServerError',
  'ServiceUnavailable',
]);

const BASE_BACKOFF_MS = 25;

/**
 * Calls DynamoDB's JSON API with `fetch`, signing each request with Signature Version 4 (aws4fetch).
 * Loading it costs a few kilobytes of code instead of the AWS SDK, which shortens cold starts.
 * Throttling, server errors, network errors and timeouts are retried with jittered exponential backoff.
 */
export class FetchTransport implements DynamoDBTransport {
  private readonly signingKeys = new Map<string, ArrayBuffer>();
  private readonly maxAttempts: number;
  private readonly attemptTimeoutMs: number;

  constructor(private readonly options: FetchTransportOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 2000;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new TypeError(`FetchTransport maxAttempts must be an integer of at least 1, received ${String(options.maxAttempts)}.`);
    }
    if (!(this.attemptTimeoutMs > 0)) {
      throw new TypeError(`FetchTransport attemptTimeoutMs must be a positive number of milliseconds, received ${String(options.attemptTimeoutMs)}.`);
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
    const signed = await new AwsV4Signer({
      method: 'POST',
      url: this.endpoint(region),
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${operation}`,
      },
      body,
      service: 'dynamodb',
      region,
      cache: this.signingKeys,
      ...this.credentials(),
    }).sign();

    const response = await fetch(signed.url, {
      method: 'POST',
      headers: signed.headers,
      body,
      signal: AbortSignal.timeout(this.attemptTimeoutMs),
    });
    const text = await response.text();
    const output = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (response.ok) return output;

    // The error type arrives as "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException".
    const code = String(output.__type ?? 'UnknownError').split('#').pop() as string;
    if (code === 'ConditionalCheckFailedException') {
      throw new ConditionalCheckFailedError(output.Item as AttributeMap | undefined);
    }
    const message = String(output.message ?? output.Message ?? text);
    throw new DynamoDBRequestError(code, response.status, message, response.status >= 500 || RETRYABLE_CODES.has(code));
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
  // fetch raises TypeError("fetch failed") for network errors; other TypeErrors are configuration errors.
  if (error instanceof TypeError) return error.message === 'fetch failed';
  // What remains is the TimeoutError of an attempt that ran out of time, or a malformed response.
  return true;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
