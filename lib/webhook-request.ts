import { readHeaders, type HttpEvent } from './http-request.js';

/** Path parameter that names the webhook source in `POST /v1/webhooks/{source}`. */
export const SOURCE_PATH_PARAMETER = 'source';

/** A webhook event: an HTTP event with the path parameters API Gateway adds. */
export interface WebhookEvent extends HttpEvent {
  pathParameters?: Record<string, string | undefined> | null;
}

/** Reads the webhook source from the `source` path parameter, or returns undefined when it is absent. */
export function sourceFromPath(event: unknown): string | undefined {
  const source = (event as WebhookEvent | null)?.pathParameters?.[SOURCE_PATH_PARAMETER];
  return source === '' ? undefined : source;
}

/**
 * Returns the body exactly as the sender sent it: base64-decoded when `isBase64Encoded` is set, empty
 * when there is none. Raises a TypeError when a body parser has already replaced the body, because
 * the original bytes, which the signature covers, are then gone.
 */
export function readRawBody(event: WebhookEvent): Buffer {
  const body = event.body;
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body !== 'string') {
    throw new TypeError(
      `webhookSignature() found an already parsed body (${typeof body}), so it cannot check the signature of the bytes that were sent. Use webhookSignature() before any body parser: middy(handler).use(webhookSignature(...)).use(httpJsonBodyParser()).`,
    );
  }
  return event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

/** Returns every value of a header, matching its name case-insensitively, from whichever header map the event has. */
export function eventHeaderValues(event: WebhookEvent, name: string): string[] {
  return readHeaders(event).get(name.toLowerCase()) ?? [];
}

/** True when the event has only `multiValueHeaders` (an ALB target with multi-value headers on). */
export function expectsMultiValueResponse(event: WebhookEvent): boolean {
  return !event.headers && !!event.multiValueHeaders;
}
