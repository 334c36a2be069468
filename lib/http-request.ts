import { canonicalJson } from './canonical-json.js';

/**
 * The parts of an HTTP request the middleware needs, read once from any of the Lambda HTTP event
 * shapes: API Gateway REST (v1) proxy events, HTTP API (v2) events, function URL events and ALB events.
 */
export interface HttpRequest {
  /** Upper-case method, for example `POST`. */
  method: string;
  path: string;
  /** Header values by lower-case name; a name sent twice has two values. */
  headers: ReadonlyMap<string, readonly string[]>;
  /** Bytes the fingerprint covers; see `fingerprintBytes`. */
  fingerprintBytes: Buffer;
  /** True when the event has only `multiValueHeaders` (an ALB target with multi-value headers on). */
  multiValueResponse: boolean;
}

/** Any of the supported HTTP event shapes; only the fields read here are typed. */
export interface HttpEvent {
  httpMethod?: string;
  path?: string;
  rawPath?: string;
  headers?: Record<string, string | undefined> | null;
  multiValueHeaders?: Record<string, string[] | undefined> | null;
  body?: unknown;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { method?: string } } & Record<string, unknown>;
}

/** Reads an HTTP request from a Lambda event, or raises a TypeError naming what is missing. */
export function readHttpRequest(event: unknown): HttpRequest {
  if (typeof event !== 'object' || event === null) {
    throw new TypeError(`idempotent() expects an HTTP event object, received ${describe(event)}.`);
  }
  const httpEvent = event as HttpEvent;

  const method = httpEvent.httpMethod ?? httpEvent.requestContext?.http?.method;
  const path = httpEvent.rawPath ?? httpEvent.path;
  if (typeof method !== 'string' || typeof path !== 'string') {
    throw new TypeError(
      'idempotent() expects an API Gateway, function URL or ALB event: the event has no httpMethod or requestContext.http.method, or no path or rawPath. For SQS records use idempotentRecords().',
    );
  }

  const headers = readHeaders(httpEvent);
  return {
    method: method.toUpperCase(),
    path,
    headers,
    fingerprintBytes: readFingerprintBytes(httpEvent, headers),
    multiValueResponse: !httpEvent.headers && !!httpEvent.multiValueHeaders,
  };
}

/** Returns every value of a header, matching its name case-insensitively. */
export function headerValues(request: HttpRequest, name: string): readonly string[] {
  return request.headers.get(name.toLowerCase()) ?? [];
}

/** Reads an event's headers into values by lower-case name, from whichever header map is complete. */
export function readHeaders(event: Pick<HttpEvent, 'headers' | 'multiValueHeaders'>): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  const add = (name: string, value: string | undefined): void => {
    if (value === undefined) return;
    const key = name.toLowerCase();
    const values = headers.get(key);
    if (values) values.push(value);
    else headers.set(key, [value]);
  };

  // REST API events carry both maps; multiValueHeaders is the complete one unless a tool left it empty.
  if (event.multiValueHeaders && Object.keys(event.multiValueHeaders).length > 0) {
    for (const [name, values] of Object.entries(event.multiValueHeaders)) {
      for (const value of values ?? []) add(name, value);
    }
  } else if (event.headers) {
    for (const [name, value] of Object.entries(event.headers)) add(name, value);
  }
  return headers;
}

const JSON_MEDIA_TYPE = /^application\/(.+\+)?json(\s*;.*)?$/i;

/**
 * Selects the bytes the fingerprint covers. A JSON body is fingerprinted in its RFC 8785 canonical form.
 * That covers a JSON media type and a body that another middleware, such as
 * @middy/http-json-body-parser, has already parsed. Once a parser has replaced `event.body` the original
 * bytes are gone, so canonicalizing in both cases keeps the result independent of middleware order.
 * Other bodies are fingerprinted by their exact bytes, after base64 decoding when `isBase64Encoded` is set.
 *
 * NOTE: A body that is a top-level JSON string or null gets a different fingerprint with the parser
 * before idempotent() than after it. Once parsed, "abc" looks like the raw text abc, and null looks like
 * a request without a body. Objects, arrays, numbers and booleans are unaffected.
 * NOTE: Parsing reads numbers as doubles, so integers beyond 2^53 that round to the same double share a
 * fingerprint, and a retry with the other one is replayed instead of rejected as a conflict.
 */
function readFingerprintBytes(event: HttpEvent, headers: Map<string, string[]>): Buffer {
  const body = event.body;
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body !== 'string') return Buffer.from(canonicalJson(body), 'utf8');

  const bytes = event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  const contentType = headers.get('content-type')?.[0] ?? '';
  if (!JSON_MEDIA_TYPE.test(contentType.trim())) return bytes;

  try {
    return Buffer.from(canonicalJson(JSON.parse(bytes.toString('utf8'))), 'utf8');
  } catch {
    // Not valid JSON after all: the exact bytes still identify the request.
    return bytes;
  }
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value;
}
