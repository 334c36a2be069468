import { isHttpResponse, type HttpResponse } from './http-response.js';

/** Response headers saved and replayed when the handler sets them (matched case-insensitively). */
export const DEFAULT_REPLAY_HEADERS: readonly string[] = [
  'access-control-allow-credentials',
  'access-control-allow-origin',
  'access-control-expose-headers',
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-location',
  'content-type',
  'etag',
  'expires',
  'last-modified',
  'link',
  'location',
  'vary',
];

/** Header added to every replayed HTTP response. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** Header added to a replay whose body was too large to save. */
export const BODY_OMITTED_HEADER = 'Idempotent-Body-Omitted';

/**
 * A handler result as the record stores it. HTTP responses keep only the status, the allow-listed
 * headers and the body, so cookies, dates and request ids are never stored or replayed.
 */
export type SavedResult =
  | {
      kind: 'http';
      statusCode: number;
      statusDescription?: string;
      headers?: Record<string, string>;
      multiValueHeaders?: Record<string, string[]>;
      body?: string;
      isBase64Encoded?: boolean;
      /** Set when the body made the record exceed DynamoDB's item size limit and was dropped. */
      bodyOmitted?: true;
    }
  | { kind: 'value'; value: unknown }
  | { kind: 'undefined' }
  /** A non-HTTP result too large to save: the replay returns undefined. */
  | { kind: 'omitted' };

/** Converts a handler result into what the record stores, keeping only allow-listed headers. */
export function toSavedResult(result: unknown, replayHeaders: ReadonlySet<string>): SavedResult {
  if (result === undefined) return { kind: 'undefined' };
  if (!isHttpResponse(result)) return { kind: 'value', value: result };

  const saved: SavedResult = { kind: 'http', statusCode: result.statusCode };
  if (result.statusDescription !== undefined) saved.statusDescription = result.statusDescription;
  if (result.headers) saved.headers = pickHeaders(result.headers, replayHeaders, String);
  if (result.multiValueHeaders) {
    saved.multiValueHeaders = pickHeaders(result.multiValueHeaders, replayHeaders, (values) => values.map(String));
  }
  if (result.body !== undefined) saved.body = result.body;
  if (result.isBase64Encoded !== undefined) saved.isBase64Encoded = result.isBase64Encoded;
  return saved;
}

/** Rebuilds the handler result from a saved one, marking HTTP responses as replayed. */
export function toReplay(saved: SavedResult, multiValueResponse: boolean): unknown {
  switch (saved.kind) {
    case 'undefined':
    case 'omitted':
      return undefined;
    case 'value':
      return saved.value;
    case 'http':
      return replayHttpResponse(saved, multiValueResponse);
  }
}

function replayHttpResponse(saved: Extract<SavedResult, { kind: 'http' }>, multiValueResponse: boolean): HttpResponse {
  const response: HttpResponse = { statusCode: saved.statusCode };
  if (saved.statusDescription !== undefined) response.statusDescription = saved.statusDescription;
  if (saved.headers) response.headers = { ...saved.headers };
  if (saved.multiValueHeaders) response.multiValueHeaders = { ...saved.multiValueHeaders };
  if (saved.body !== undefined) response.body = saved.body;
  if (saved.isBase64Encoded !== undefined) response.isBase64Encoded = saved.isBase64Encoded;

  addHeader(response, REPLAYED_HEADER, 'true', multiValueResponse);
  if (saved.bodyOmitted) addHeader(response, BODY_OMITTED_HEADER, 'true', multiValueResponse);
  return response;
}

/**
 * Adds a header in the map the event shape expects: ALB targets with multi-value headers on read only
 * `multiValueHeaders`, every other shape reads `headers`.
 */
export function addHeader(response: HttpResponse, name: string, value: string, multiValueResponse: boolean): void {
  if (multiValueResponse) {
    response.multiValueHeaders = { ...response.multiValueHeaders, [name]: [value] };
  } else {
    response.headers = { ...response.headers, [name]: value };
  }
}

/** Moves `headers` into `multiValueHeaders` for an ALB target with multi-value headers on. */
export function shapeForEvent(response: HttpResponse, multiValueResponse: boolean): HttpResponse {
  if (!multiValueResponse || !response.headers) return response;

  const { headers, ...rest } = response;
  const multiValueHeaders: Record<string, Array<string | number | boolean>> = { ...rest.multiValueHeaders };
  for (const [name, value] of Object.entries(headers)) multiValueHeaders[name] = [value];
  return { ...rest, multiValueHeaders };
}

function pickHeaders<In, Out>(
  headers: Record<string, In>,
  allowed: ReadonlySet<string>,
  convert: (value: In) => Out,
): Record<string, Out> {
  const picked: Record<string, Out> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (allowed.has(name.toLowerCase())) picked[name] = convert(value);
  }
  return picked;
}
